import { errors } from '../../api/errors.js';

/** The patch mechanisms kube-apiserver offers, named by what the request's Content-Type selects. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const MEDIA_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Every patch media type, in the order kube lists them in its 415 message. */
export const PATCH_CONTENT_TYPES: readonly string[] = [
  MEDIA_TYPES.json,
  MEDIA_TYPES.merge,
  MEDIA_TYPES.strategic,
  MEDIA_TYPES.apply,
];

/** The media type that selects a patch type (for OpenAPI `consumes` and discovery). */
export function contentTypeForPatchType(type: PatchType): string {
  return MEDIA_TYPES[type];
}

/**
 * The patch type a PATCH request's Content-Type selects. Parameters such as `; charset=utf-8`
 * are ignored. Anything else, or a type outside `allowed` (a resource may, like custom
 * resources in kube, leave strategic merge patch out), is 415 UnsupportedMediaType listing
 * the accepted types.
 */
export function patchTypeForContentType(
  contentType: string | undefined,
  allowed: readonly PatchType[] = ['json', 'merge', 'strategic', 'apply'],
): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  for (const type of allowed) {
    if (MEDIA_TYPES[type] === mediaType) return type;
  }
  const supported = PATCH_CONTENT_TYPES.filter((media) =>
    allowed.some((type) => MEDIA_TYPES[type] === media),
  );
  throw errors.unsupportedMediaType(contentType ?? '', supported);
}
