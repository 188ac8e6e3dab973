import { CachedStorage } from '../../../../server/storage/cacher/cached-storage.js';
import { MemoryStorage } from '../../../../server/storage/memory-storage.js';
import { describeStorageConformance } from '../../../../server/testing/index.js';

/** The top-level prefixes the conformance suite writes under, each cached as one resource. */
const conformancePrefixes = ['/a/', '/g/', '/h/', '/race/', '/u/', '/w/'];

describeStorageConformance('CachedStorage(MemoryStorage)', {
  // The cache's window is its history: asked for a short one, both it and the backend keep one.
  open: async (options) =>
    new CachedStorage(new MemoryStorage({ historySize: options?.historySize }), {
      prefixes: conformancePrefixes,
      eventWindow: options?.historySize,
    }),
});
