import { errors } from '../api/errors.js';

/** One parsed entry of an Accept header: `application/json;as=Table;v=v1;g=meta.k8s.io`. */
export interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === '') return [{ type: '*/*', params: {} }];
  return header.split(',').map((entry) => {
    const [type, ...rawParams] = entry.split(';').map((s) => s.trim());
    // Built from entries so that a parameter named `__proto__` is an own member like any other.
    const entries: [string, string][] = [];
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq > 0)
        entries.push([
          param.slice(0, eq).trim().toLowerCase(),
          param
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        ]);
    }
    return { type: type.toLowerCase(), params: Object.fromEntries(entries) };
  });
}

/** How a response body is serialized and what shape it has. */
export interface ResponseFormat {
  readonly encoding: 'json' | 'yaml';
  /** `object` is the resource itself; the others are meta.k8s.io transformations of it. */
  readonly as: 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  /** The meta.k8s.io version for transformations (v1 or v1beta1). */
  readonly metaVersion: string;
}

const encodings: ReadonlyMap<string, ResponseFormat['encoding']> = new Map([
  ['application/json', 'json'],
  ['application/*', 'json'],
  ['*/*', 'json'],
  ['application/yaml', 'yaml'],
]);

/**
 * Picks the first acceptable representation, as kube-apiserver does: JSON or YAML, optionally
 * transformed to a Table or PartialObjectMetadata(List). Protobuf entries are skipped; if
 * nothing acceptable remains, 406.
 */
export function negotiateResponse(accept: string | undefined, collection: boolean): ResponseFormat {
  for (const range of parseAccept(accept)) {
    const encoding = encodings.get(range.type);
    if (!encoding) continue;
    const as = range.params.as;
    if (!as) return { encoding, as: 'object', metaVersion: 'v1' };
    if (range.params.g !== 'meta.k8s.io' || !['v1', 'v1beta1'].includes(range.params.v ?? '')) continue;
    if (
      as === 'Table' ||
      (as === 'PartialObjectMetadata' && !collection) ||
      (as === 'PartialObjectMetadataList' && collection)
    ) {
      return { encoding, as, metaVersion: range.params.v };
    }
  }
  throw errors.notAcceptable(accept ?? '', [
    'application/json',
    'application/yaml',
    'application/json;as=Table;v=v1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  ]);
}

/** Whether a plain JSON body is acceptable (for endpoints with a single representation). */
export function acceptsJson(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => encodings.get(r.type) === 'json' && !r.params.as);
}
