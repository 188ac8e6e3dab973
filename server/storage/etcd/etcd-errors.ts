import {
  ClientClosedError,
  EtcdError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCGenericError,
  GRPCOutOfRangeError,
  GRPCUnavailableError,
} from 'etcd3';
import { ApiError } from '../../api/errors.js';
import { StorageError } from '../../../api/storage.js';

/**
 * Turns what the etcd client throws into the storage errors the generic store understands, so
 * that an etcd outage answers 503/504 quickly instead of surfacing as a 500:
 *
 * - the call's deadline passed (etcd hung, or a connection could not be made in time): Timeout;
 * - no connection, a dropped connection, a closed client, or etcd itself unable to serve
 *   (no leader, its own request timeout): Unavailable;
 * - a read at a revision etcd has compacted away, or at one it has not reached: Expired, so a
 *   list continuation answers 410 and the client relists;
 * - a write etcd refuses as too large: 413, as kube-apiserver answers it.
 *
 * The messages reach clients, so they say what happened in etcd's words at most ("etcdserver:
 * no leader"), never the gRPC client's (its details carry addresses and internal state); the
 * client's error stays attached as `cause` for logs. Anything else is a bug rather than an
 * outage, and passes through unchanged.
 */
export function toStorageError(error: unknown, key: string): unknown {
  if (error instanceof StorageError) return error;
  if (!(error instanceof Error)) return error;
  if (error instanceof GRPCDeadlineExceededError) {
    return withCause(new StorageError('Timeout', key, 'etcd did not answer in time'), error);
  }
  if (error instanceof GRPCOutOfRangeError && isRevisionOutOfRange(error.message)) {
    const why = error.message.includes('future revision')
      ? 'etcdserver: mvcc: required revision is a future revision'
      : 'etcdserver: mvcc: required revision has been compacted';
    return withCause(new StorageError('Expired', key, why), error);
  }
  // etcd refuses a request past --max-request-bytes (1.5 MiB), its gRPC server one past 2 MiB.
  if (/etcdserver: request is too large|received message larger than max/.test(error.message)) {
    return withCause(
      new ApiError({
        code: 413,
        reason: 'RequestEntityTooLarge',
        message: 'Request entity too large: etcdserver: request is too large',
      }),
      error,
    );
  }
  const serverState = etcdServerUnavailable(error);
  if (serverState) return withCause(new StorageError('Unavailable', key, serverState), error);
  if (
    error instanceof GRPCUnavailableError ||
    error instanceof GRPCCancelledError ||
    error instanceof ClientClosedError
  ) {
    return withCause(new StorageError('Unavailable', key, 'etcd is not reachable'), error);
  }
  return error;
}

function withCause<T extends Error>(error: T, cause: Error): T {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true });
  return error;
}

/**
 * Whether a failed call certainly never reached etcd, so that trying it again (on another
 * endpoint) cannot apply a write twice. grpc-js fails calls this way while it has no connection;
 * a connection that drops mid-call leaves the outcome unknown, and that is not retried.
 */
export function neverReachedEtcd(error: unknown): boolean {
  return error instanceof GRPCUnavailableError && error.message.includes('No connection established');
}

function isRevisionOutOfRange(message: string): boolean {
  return message.includes('required revision has been compacted') || message.includes('future revision');
}

/** etcd's own "cannot serve right now" answer (`etcdserver: no leader`), if the error is one. */
function etcdServerUnavailable(error: Error): string | undefined {
  if (!(error instanceof EtcdError || error instanceof GRPCGenericError)) return undefined;
  return /etcdserver: (request timed out|leader changed|no leader|not capable|too many requests|server stopped)/.exec(
    error.message,
  )?.[0];
}
