import { errors } from '../api/errors.js';
import { StorageError } from '../../api/storage.js';

/**
 * Resource versions are the decimal form of a backend's revision counter. Like etcd, the
 * embedded backends start at revision 1 before any write, so the first write is 2 and no
 * version they report, not even an empty list's, is "0", which Kubernetes reads as "any
 * version" / "from now". A client that lists an empty store and watches from the version it
 * got therefore misses nothing written in between.
 */
export const INITIAL_REVISION = 1;

export function formatResourceVersion(revision: number): string {
  return String(revision);
}

/** The revision a well-formed resource version names, or undefined when it is not one. */
export function parseResourceVersion(resourceVersion: string): number | undefined {
  if (!/^[0-9]+$/.test(resourceVersion)) return undefined;
  const revision = Number(resourceVersion);
  return Number.isSafeInteger(revision) ? revision : undefined;
}

/**
 * Where a watch starts: a revision, or undefined for "from now" (unset, "" or "0"). A
 * malformed version is the client's mistake, so it is a 400 rather than a storage error.
 */
export function parseWatchStart(resourceVersion: string | undefined): number | undefined {
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') return undefined;
  const revision = parseResourceVersion(resourceVersion);
  if (revision === undefined) throw errors.badRequest(`invalid resource version "${resourceVersion}"`);
  return revision;
}

/** The error for a watch that asks for changes the backend no longer remembers. */
export function tooOldResourceVersion(
  prefix: string,
  requested: number,
  compactedRevision: number,
): StorageError {
  // Same wording as kube-apiserver's watch cache, which clients and operators recognise.
  return new StorageError('Expired', prefix, `too old resource version: ${requested} (${compactedRevision})`);
}

/**
 * The error for a watch from a version this backend has not issued yet. An embedded backend
 * only gets there if its state was reset (an in-memory backend restarted, a database restored
 * from a backup) while the client kept its old version; waiting would silently skip the
 * changes the client missed, while Expired makes it relist.
 */
export function futureResourceVersion(prefix: string, requested: number, current: number): StorageError {
  return new StorageError(
    'Expired',
    prefix,
    `resource version ${requested} is newer than the storage's current version ${current}; relist`,
  );
}
