import { errors } from '../api/errors.js';

/** What a `continue` token carries: the list's resource version and the last key returned. */
export interface ContinuePosition {
  readonly resourceVersion: string;
  readonly startAfter: string;
}

/** Encodes the position like kube-apiserver does: base64 of a small versioned JSON document. */
export function encodeContinue(position: ContinuePosition): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: position.resourceVersion, start: position.startAfter }),
  ).toString('base64url');
}

export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw errors.badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
  // Any JSON decodes, `null` and arrays included: only an object can be a token.
  const parsed = isRecord(decoded) ? decoded : {};
  if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'string' || typeof parsed.start !== 'string') {
    throw errors.badRequest('continue key is not valid: server does not recognize this encoding');
  }
  // A token is only valid for the collection it was issued for: it may not walk into other keys.
  if (!parsed.start.startsWith(keyPrefix))
    throw errors.badRequest('continue key is not valid: it belongs to another list');
  return { resourceVersion: parsed.rv, startAfter: parsed.start };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
