import {
  ClientClosedError,
  EtcdError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCGenericError,
  GRPCOutOfRangeError,
  GRPCUnavailableError,
} from 'etcd3';
import { StorageError } from '../../../api/storage.js';

/**
 * Turns what the etcd client throws into the storage errors the generic store understands, so
 * that an etcd outage answers 503/504 quickly instead of surfacing as a 500:
 *
 * - the call's deadline passed (etcd hung, or a connection could not be made in time): Timeout;
 * - no connection, a dropped connection, a closed client, or etcd itself unable to serve
 *   (no leader, its own request timeout): Unavailable;
 * - a read at a revision etcd has compacted away, or at one it has not reached: Expired, so a
 *   list continuation answers 410 and the client relists.
 *
 * Anything else (a request etcd rejects as too large, say) is a bug or a limit rather than an
 * outage, and passes through unchanged.
 */
export function toStorageError(error: unknown, key: string): unknown {
  if (error instanceof StorageError) return error;
  if (!(error instanceof Error)) return error;
  const message = `etcd: ${error.message}`;
  if (error instanceof GRPCDeadlineExceededError) return new StorageError('Timeout', key, message);
  if (error instanceof GRPCOutOfRangeError && isRevisionOutOfRange(error.message)) {
    return new StorageError('Expired', key, message);
  }
  if (
    error instanceof GRPCUnavailableError ||
    error instanceof GRPCCancelledError ||
    error instanceof ClientClosedError ||
    isEtcdServerUnavailable(error)
  ) {
    return new StorageError('Unavailable', key, message);
  }
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

/** etcd's own "cannot serve right now" answers, which reach the client as generic errors. */
function isEtcdServerUnavailable(error: Error): boolean {
  if (!(error instanceof EtcdError || error instanceof GRPCGenericError)) return false;
  return /etcdserver: (request timed out|leader changed|no leader|not capable|too many requests|server stopped)/.test(
    error.message,
  );
}
