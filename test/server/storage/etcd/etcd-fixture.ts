import {
  openEtcdStorage,
  type EtcdStorage,
  type EtcdStorageOptions,
} from '../../../../server/storage/etcd/etcd-storage.js';
import type { Storage } from '../../../../api/storage.js';
import { EtcdProcess } from '../../../support/etcd-process.js';

export interface EtcdStorageFixture {
  /** The suite's real etcd (stop, kill, pause it to test faults). */
  etcd(): EtcdProcess;
  /** A key prefix no other storage of the run uses, for storages that must share one. */
  newKeySpace(): string;
  /** An EtcdStorage on the suite's etcd, in a key space of its own unless `options.keyPrefix` says otherwise. */
  open(options?: Partial<EtcdStorageOptions>): Promise<EtcdStorage>;
  /** Closes `storage` (e.g. a CachedStorage around an opened backend) when the suite ends. */
  closeAfterSuite<T extends Storage>(storage: T): T;
}

let keySpaces = 0;

/**
 * One real etcd for a test file: started before its tests, stopped after them, with every
 * storage the tests opened on it closed first. Call at the top level of the file.
 */
export function useEtcdStorage(): EtcdStorageFixture {
  let etcd: EtcdProcess | undefined;
  const opened: Storage[] = [];

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
  });

  afterAll(async () => {
    await Promise.all(opened.map((storage) => storage.close()));
    await etcd?.dispose();
  });

  const fixture: EtcdStorageFixture = {
    etcd: () => {
      if (!etcd) throw new Error('etcd is not running: use the fixture inside tests or hooks');
      return etcd;
    },
    newKeySpace: () => `/key-space-${++keySpaces}`,
    open: async (options = {}) =>
      fixture.closeAfterSuite(
        await openEtcdStorage({
          endpoints: [fixture.etcd().clientUrl],
          keyPrefix: fixture.newKeySpace(),
          compactionIntervalMs: 0,
          ...options,
        }),
      ),
    closeAfterSuite: (storage) => {
      opened.push(storage);
      return storage;
    },
  };
  return fixture;
}
