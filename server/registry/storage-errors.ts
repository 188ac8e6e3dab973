import { isStorageError } from '../../api/storage.js';
import { errors, isApiError, type ResourceRef } from '../api/errors.js';

/** The message kube-apiserver gives for a stale write (a Conflict on the object). */
export const STALE_OBJECT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/**
 * The Status error kube-apiserver answers for a storage failure: the one place that maps a
 * backend's StorageError onto the resource and name of the request. Anything else is rethrown
 * as it is (an ApiError stays one; other errors become an opaque 500 upstream).
 */
export function statusForStorageError(
  error: unknown,
  ref: ResourceRef,
  name: string,
  options: { readonly continuing?: boolean; readonly resourceVersion?: string } = {},
): unknown {
  if (isApiError(error) || !isStorageError(error)) return error;
  switch (error.code) {
    case 'NotFound':
      return errors.notFound(ref, name);
    case 'KeyExists':
      return errors.alreadyExists(ref, name);
    case 'Conflict':
      return errors.conflict(ref, name, STALE_OBJECT_MESSAGE);
    case 'Expired':
      return errors.gone(
        options.continuing
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
          : error.message.startsWith('too old resource version: ')
            ? error.message
            : `too old resource version: ${options.resourceVersion ?? 'the requested version is no longer kept'}`,
      );
    // Backends word these for clients (the built-in ones never name addresses or engine details).
    case 'Timeout':
      return errors.timeout(`storage did not answer in time: ${error.message}`);
    case 'Unavailable':
      return errors.serviceUnavailable(`storage is unavailable: ${error.message}`);
  }
}
