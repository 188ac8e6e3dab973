import type { Status, StatusCause, StatusReason } from '../../api/types.js';

/**
 * An error that is already a Kubernetes `Status`: every layer throws these, and the response
 * writer turns them into the body and code. Anything else that escapes is an internal error
 * whose details are logged, never sent.
 */
export class ApiError extends Error {
  readonly status: Status;
  /** Extra response headers, e.g. Retry-After for 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: Omit<Status, 'apiVersion' | 'kind' | 'metadata' | 'status'>,
    headers: Record<string, string> = {},
  ) {
    super(status.message ?? status.reason ?? 'error');
    this.status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', ...status };
    this.headers = headers;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

export interface ResourceRef {
  readonly group: string;
  /** The plural resource name, as kube-apiserver names it in messages (`metricsnapshots.metrics.example.com`). */
  readonly resource: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function kindFor(ref: ResourceRef): string {
  return ref.resource;
}

export const errors = {
  badRequest: (message: string): ApiError => new ApiError({ code: 400, reason: 'BadRequest', message }),

  unauthorized: (message = 'Unauthorized'): ApiError =>
    new ApiError({ code: 401, reason: 'Unauthorized', message }),

  forbidden: (message: string, ref?: ResourceRef, name?: string): ApiError =>
    new ApiError({
      code: 403,
      reason: 'Forbidden',
      message,
      details: ref ? { group: ref.group, kind: kindFor(ref), ...(name ? { name } : {}) } : undefined,
    }),

  notFound: (ref: ResourceRef, name: string): ApiError =>
    new ApiError({
      code: 404,
      reason: 'NotFound',
      message: `${qualified(ref)} "${name}" not found`,
      details: { name, group: ref.group, kind: kindFor(ref) },
    }),

  pathNotFound: (path: string): ApiError =>
    new ApiError({
      code: 404,
      reason: 'NotFound',
      message: `the server could not find the requested resource (${path})`,
    }),

  alreadyExists: (ref: ResourceRef, name: string): ApiError =>
    new ApiError({
      code: 409,
      reason: 'AlreadyExists',
      message: `${qualified(ref)} "${name}" already exists`,
      details: { name, group: ref.group, kind: kindFor(ref) },
    }),

  conflict: (ref: ResourceRef, name: string, why: string): ApiError =>
    new ApiError({
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`,
      details: { name, group: ref.group, kind: kindFor(ref) },
    }),

  /**
   * Server-side apply conflicts, worded as kube words them (kubectl prints the message as is):
   * one cause per field, whose message names the manager that owns it.
   */
  applyConflict: (causes: StatusCause[]): ApiError => {
    const byManager = new Map<string, string[]>();
    for (const cause of causes) {
      const owner = (cause.message ?? '').replace(/^conflict with /, '');
      byManager.set(owner, [...(byManager.get(owner) ?? []), cause.field ?? '']);
    }
    const count = `${causes.length} conflict${causes.length === 1 ? '' : 's'}`;
    const parts = [...byManager]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([owner, fields]) =>
        fields.length === 1
          ? `conflict with ${owner}: ${fields[0]}`
          : `conflicts with ${owner}:\n${fields.map((f) => `- ${f}`).join('\n')}`,
      );
    return new ApiError({
      code: 409,
      reason: 'Conflict',
      message: `Apply failed with ${count}: ${parts.join('\n')}`,
      details: { causes },
    });
  },

  gone: (message: string): ApiError => new ApiError({ code: 410, reason: 'Expired', message }),

  /** 422 with one cause per invalid field, the shape `kubectl` prints field by field. */
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]): ApiError =>
    new ApiError({
      code: 422,
      reason: 'Invalid',
      message: `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${causes
        .map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
        .join(', ')}`,
      details: { name, group, kind, causes },
    }),

  methodNotAllowed: (method: string, path: string): ApiError =>
    new ApiError({
      code: 405,
      reason: 'MethodNotAllowed',
      message: `the server does not allow this method on the requested resource (${method} ${path})`,
    }),

  notAcceptable: (accept: string, supported: readonly string[]): ApiError =>
    new ApiError({
      code: 406,
      reason: 'NotAcceptable',
      message: `only the following media types are accepted: ${supported.join(', ')} (asked for ${accept})`,
    }),

  unsupportedMediaType: (contentType: string, supported: readonly string[]): ApiError =>
    new ApiError({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')} (got ${contentType || 'none'})`,
    }),

  requestEntityTooLarge: (limit: number): ApiError =>
    new ApiError({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: `the request body is larger than the limit of ${limit} bytes`,
    }),

  tooManyRequests: (retryAfterSeconds: number): ApiError =>
    new ApiError(
      {
        code: 429,
        reason: 'TooManyRequests',
        message: 'too many requests, please try again later',
        details: { retryAfterSeconds },
      },
      { 'Retry-After': String(retryAfterSeconds) },
    ),

  internal: (message = 'an internal error occurred'): ApiError =>
    new ApiError({ code: 500, reason: 'InternalError', message }),

  serviceUnavailable: (message: string): ApiError =>
    new ApiError({ code: 503, reason: 'ServiceUnavailable', message }),

  timeout: (message: string): ApiError => new ApiError({ code: 504, reason: 'Timeout', message }),

  /** A read at a resourceVersion the storage has not reached, worded as kube's storage words it. */
  tooLargeResourceVersion: (requested: string, current: string): ApiError =>
    new ApiError(
      {
        code: 504,
        reason: 'Timeout',
        message: `Too large resource version: ${requested}, current: ${current}`,
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
      },
      { 'Retry-After': '1' },
    ),
};

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
