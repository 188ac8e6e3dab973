import type { Storage } from '../../../api/storage.js';
import { ApiError } from '../../../server/api/errors.js';
import { rv, thing } from '../../../server/testing/index.js';

/** The 413 a backend answers for an object past its size limit (an ApiError, not a StorageError). */
async function expectTooLarge(operation: Promise<unknown>): Promise<void> {
  const error = await operation.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge' });
}

/**
 * The server's own backends refuse objects larger than they store (see MAX_OBJECT_BYTES) with
 * 413, as kube-apiserver answers etcd's own size limit, on create and on update.
 */
export function describeObjectSizeLimit(name: string, open: () => Promise<Storage>): void {
  describe(`${name}: object size limit`, () => {
    it('refuses an object larger than it stores with 413, on create and on update', async () => {
      const storage = await open();
      try {
        const huge = thing('huge', { text: 'x'.repeat(3.5 * 1024 * 1024) });
        await expectTooLarge(storage.create('/g/things/ns/huge', huge));
        const small = await storage.create('/g/things/ns/small', thing('small'));
        await expectTooLarge(
          storage.update('/g/things/ns/small', { ...huge, metadata: small.metadata }, rv(small)),
        );
        expect(await storage.get('/g/things/ns/huge')).toBeUndefined();
        expect(await storage.get('/g/things/ns/small')).toEqual(small);
      } finally {
        await storage.close();
      }
    });
  });
}
