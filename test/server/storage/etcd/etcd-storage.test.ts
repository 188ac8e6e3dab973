import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { createCertificateAuthority, issueCertificate } from '../../../../server/pki/certificates.js';
import { openEtcdStorage, type EtcdStorage } from '../../../../server/storage/etcd/etcd-storage.js';
import { EtcdProcess } from '../../../support/etcd-process.js';
import { useEtcdStorage } from './etcd-fixture.js';
import {
  describeStorageConformance,
  events,
  expectStorageError,
  revisionOf,
  rv,
  thing,
} from '../../../../server/testing/index.js';
import { describeObjectSizeLimit } from '../object-size-limit.js';

const fixture = useEtcdStorage();
const open = fixture.open;

describeStorageConformance('EtcdStorage', {
  open: () => fixture.open(),
  compact: (storage, resourceVersion) => (storage as EtcdStorage).compact(resourceVersion),
});

// etcd's own limits (1.5 MiB, and 2 MiB for its gRPC server) answer for it.
describeObjectSizeLimit('EtcdStorage', () => fixture.open());

describe('EtcdStorage', () => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  it('stores objects as JSON under the key as given, without the resourceVersion it reads from the mod revision', async () => {
    const storage = await open({ keyPrefix: '' });
    const key = `/registry/example.com/things/ns/raw-${Date.now()}`;
    const created = await storage.create(key, thing('raw', { n: 1 }));
    const client = new Etcd3({ hosts: fixture.etcd().clientUrl });
    try {
      const stored = await client.kv.range({ key: Buffer.from(key) });
      expect(JSON.parse(stored.kvs[0].value.toString())).toEqual({
        ...thing('raw', { n: 1 }),
        metadata: { name: 'raw' },
      });
      expect(stored.kvs[0].mod_revision).toBe(rv(created));
    } finally {
      client.close();
    }
  });

  it('reads every page of a list at the first page’s revision, whatever is written in between', async () => {
    const storage = await open();
    for (const name of ['a', 'b', 'c']) await storage.create(`/g/things/ns/${name}`, thing(name, { v: 1 }));
    const first = await storage.list('/g/things/', { limit: 2 });
    const b = await storage.get('/g/things/ns/b');
    await storage.delete('/g/things/ns/c');
    await storage.update('/g/things/ns/b', thing('b', { v: 2 }), rv(b ?? thing('b')));
    await storage.create('/g/things/ns/d', thing('d'));

    const second = await storage.list('/g/things/', {
      limit: 2,
      startAfter: first.continueKey,
      resourceVersion: first.resourceVersion,
    });
    expect(second.items.map((item) => [item.metadata.name, item.spec])).toEqual([['c', { v: 1 }]]);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.continueKey).toBeUndefined();
  });

  it('fails a list continuation at a compacted revision with Expired', async () => {
    const storage = await open();
    for (const name of ['a', 'b']) await storage.create(`/g/things/ns/${name}`, thing(name));
    const first = await storage.list('/g/things/', { limit: 1 });
    await storage.create('/g/things/ns/c', thing('c'));
    await storage.compact(await storage.currentResourceVersion());
    await expectStorageError(
      storage.list('/g/things/', {
        limit: 1,
        startAfter: first.continueKey,
        resourceVersion: first.resourceVersion,
      }),
      'Expired',
    );
  });

  it('answers a watch from a revision etcd has not reached with Expired', async () => {
    const storage = await open();
    const future = String(revisionOf(await storage.create('/g/things/ns/a', thing('a'))) + 1_000);
    await expectStorageError(firstEvent(storage.watch('/g/', future, watches.signal)), 'Expired');
  });

  it('compacts to the revision seen one round earlier, one server per round', async () => {
    const [first, second] = [await open(), await open()];
    // Both servers learn the current round (the first may claim it and note where history starts).
    await first.compactionRound();
    await second.compactionRound();
    const old = await first.create('/g/things/ns/old', thing('old'));

    // The first claims the next round and compacts to the revision it saw a round ago, before `old`.
    const firstCompaction = await first.compactionRound();
    expect(firstCompaction).toBeDefined();
    expect(firstCompaction).toBeLessThan(revisionOf(old));
    // The round is taken: the second server only follows the clock.
    expect(await second.compactionRound()).toBeUndefined();
    // The next round compacts past `old`: a watch from before it can no longer be served.
    expect(await first.compactionRound()).toBeGreaterThan(revisionOf(old));
    await expectStorageError(
      firstEvent(first.watch('/g/', String(revisionOf(old) - 1), watches.signal)),
      'Expired',
    );
  });

  it('compacts periodically when given an interval', async () => {
    const storage = await open({ compactionIntervalMs: 100 });
    const early = rv(await storage.create('/g/things/ns/a', thing('a')));
    await storage.create('/g/things/ns/b', thing('b'));
    const deadline = Date.now() + 5_000;
    let expired = false;
    while (!expired && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expired = await storage.list('/g/', { resourceVersion: early }).then(
        () => false,
        () => true,
      );
    }
    expect(expired).toBe(true);
  });

  it('fails to open, quickly, when etcd cannot be reached', async () => {
    const started = Date.now();
    await expectStorageError(
      openEtcdStorage({
        endpoints: ['http://127.0.0.1:1'],
        requestTimeoutMs: 2_000,
        compactionIntervalMs: 0,
      }),
      'Unavailable',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('moves a call that could not reach one endpoint on to the next', async () => {
    // Port 1 refuses connections: about half the calls try it first.
    const storage = await open({ endpoints: ['http://127.0.0.1:1', fixture.etcd().clientUrl] });
    for (let i = 0; i < 20; i++) {
      await storage.create(`/g/things/ns/o${i}`, thing(`o${i}`));
      expect(await storage.get(`/g/things/ns/o${i}`)).toMatchObject({ metadata: { name: `o${i}` } });
    }
  });

  it('delivers deletions with the last object and the previous state from etcd history', async () => {
    const storage = await open();
    const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
    const stream = events(storage.watch('/g/', rv(created), watches.signal));
    const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
    const deleted = await storage.delete('/g/things/ns/a', rv(updated));
    const [modified, removed] = await stream.take(2);
    expect(modified).toMatchObject({ type: 'MODIFIED', object: updated, previous: created });
    expect(removed).toMatchObject({ type: 'DELETED', object: deleted, previous: updated });
  });
});

describe('EtcdStorage over TLS', () => {
  const watches = new AbortController();
  let secure: EtcdProcess;
  let dir: string;
  let files: {
    caFile: string;
    certFile: string;
    keyFile: string;
    clientCertFile: string;
    clientKeyFile: string;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etcd-tls-'));
    const ca = await createCertificateAuthority('etcd-test-ca');
    const serving = await issueCertificate(ca, {
      commonName: 'etcd',
      ipAddresses: ['127.0.0.1'],
      dnsNames: ['localhost'],
      usage: 'server-and-client',
      validityDays: 1,
    });
    const client = await issueCertificate(ca, { commonName: 'apiserver', usage: 'client', validityDays: 1 });
    const write = (name: string, pem: string): string => {
      writeFileSync(join(dir, name), pem);
      return join(dir, name);
    };
    files = {
      caFile: write('ca.crt', ca.certPem),
      certFile: write('etcd.crt', serving.certPem),
      keyFile: write('etcd.key', serving.keyPem),
      clientCertFile: write('client.crt', client.certPem),
      clientKeyFile: write('client.key', client.keyPem),
    };
    secure = await EtcdProcess.start({
      tls: { caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile },
    });
  });

  afterAll(async () => {
    watches.abort();
    await secure?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the CA and a client certificate, and watches over TLS', async () => {
    const storage = await openEtcdStorage({
      endpoints: [secure.clientUrl],
      caFile: files.caFile,
      certFile: files.clientCertFile,
      keyFile: files.clientKeyFile,
      compactionIntervalMs: 0,
    });
    try {
      const stream = events(storage.watch('/tls/', undefined, watches.signal));
      const created = await storage.create('/tls/things/ns/a', thing('a'));
      expect(await storage.get('/tls/things/ns/a')).toEqual(created);
      expect(await stream.take(1)).toMatchObject([{ type: 'ADDED', object: created }]);
    } finally {
      await storage.close();
    }
  });

  it('is refused without a client certificate', async () => {
    await expectStorageError(
      openEtcdStorage({
        endpoints: [secure.clientUrl],
        caFile: files.caFile,
        requestTimeoutMs: 2_000,
        compactionIntervalMs: 0,
      }),
      'Unavailable',
    );
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    await expectStorageError(
      openEtcdStorage({
        endpoints: [secure.clientUrl],
        certFile: files.clientCertFile,
        keyFile: files.clientKeyFile,
        requestTimeoutMs: 2_000,
        compactionIntervalMs: 0,
      }),
      'Unavailable',
    );
  });
});

async function firstEvent<T>(stream: AsyncIterable<T>): Promise<T | undefined> {
  const result = await stream[Symbol.asyncIterator]().next();
  return result.done ? undefined : result.value;
}
