import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdProcess } from '../../support/etcd-process.js';
import { seedSnapshot } from '../support/test-server.js';
import { call, startServerProcess, type ServerProcess } from './server-process.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

/** Reads a watch stream's events until `count` arrived or the time is up. */
function collectEvents(
  server: ServerProcess,
  path: string,
  count: number,
  timeoutMs: number,
): Promise<{ type: string; object: { metadata: { name: string; resourceVersion: string } } }[]> {
  return new Promise((resolve, reject) => {
    const events: { type: string; object: { metadata: { name: string; resourceVersion: string } } }[] = [];
    const r = request({ host: '127.0.0.1', port: server.port, path, agent: server.agent }, (res) => {
      let buffer = '';
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
        if (events.length >= count) {
          clearTimeout(timer);
          r.destroy();
          resolve(events);
        }
      });
    });
    const timer = setTimeout(() => {
      r.destroy();
      reject(new Error(`only ${events.length} of ${count} watch events arrived`));
    }, timeoutMs);
    r.on('error', () => undefined);
    r.end();
  });
}

describe('two server replicas on one etcd', () => {
  let etcd: EtcdProcess;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    etcd = await EtcdProcess.start();
    // One data dir: both replicas share the standalone CA, so one admin certificate works on both.
    dataDir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const args = [
      '--standalone',
      '--secure-port=0',
      `--data-dir=${dataDir}`,
      `--etcd-servers=${etcd.clientUrl}`,
      // Storage semantics only: no status writes of the collector racing the test's own writes.
      '--controllers=-metricsnapshot-collector',
    ];
    a = await startServerProcess(args);
    b = await startServerProcess(args);
  }, 60_000);

  afterAll(async () => {
    for (const server of [a, b]) {
      server?.child.kill('SIGKILL');
      server?.agent.destroy();
    }
    await etcd?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('writes through A reach a watcher on B in order, without gaps or duplicates', async () => {
    const start = (await call(b, 'GET', collection)).json<{ metadata: { resourceVersion: string } }>()
      .metadata.resourceVersion;
    const watching = collectEvents(b, `${collection}?watch=true&resourceVersion=${start}`, 30, 20_000);
    const written: string[] = [];
    for (let i = 0; i < 30; i++) {
      const created = await call(a, 'POST', collection, seedSnapshot(`ordered-${i}`));
      expect(created.status).toBe(201);
      written.push(created.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
    }
    const events = await watching;
    expect(events.map((e) => e.type)).toEqual(Array(30).fill('ADDED'));
    expect(events.map((e) => e.object.metadata.name)).toEqual(written.map((_, i) => `ordered-${i}`));
    expect(events.map((e) => e.object.metadata.resourceVersion)).toEqual(written);
  });

  test('a read on B sees a write just acknowledged by A', async () => {
    expect((await call(a, 'POST', collection, seedSnapshot('read-your-write'))).status).toBe(201);
    expect((await call(b, 'GET', `${collection}/read-your-write`)).status).toBe(200);
  });

  test('conflicting updates through both replicas never both succeed', async () => {
    const created = (await call(a, 'POST', collection, seedSnapshot('contended'))).json<
      Record<string, unknown> & { spec: Record<string, unknown> }
    >();
    const update = (interval: string): Record<string, unknown> => ({
      ...created,
      spec: { ...created.spec, interval },
    });
    const [fromA, fromB] = await Promise.all([
      call(a, 'PUT', `${collection}/contended`, update('2m')),
      call(b, 'PUT', `${collection}/contended`, update('3m')),
    ]);
    expect([fromA.status, fromB.status].sort()).toEqual([200, 409]);
    const winner = fromA.status === 200 ? '2m' : '3m';
    expect(
      (await call(b, 'GET', `${collection}/contended`)).json<{ spec: { interval: string } }>().spec.interval,
    ).toBe(winner);
  });

  test('while etcd is down requests fail fast with a Status and /readyz fails; both recover on their own', async () => {
    await etcd.stop();
    try {
      const started = Date.now();
      const failed = await call(a, 'GET', `${collection}/contended`);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect([503, 504]).toContain(failed.status);
      expect(failed.json()).toMatchObject({ kind: 'Status', status: 'Failure' });
      const write = await call(b, 'POST', collection, seedSnapshot('during-outage'));
      expect([503, 504]).toContain(write.status);
      const ready = await call(a, 'GET', '/readyz');
      expect(ready.status).toBe(500);
      expect(ready.text).toContain('[-]storage failed');
    } finally {
      await etcd.start();
    }
    const deadline = Date.now() + 30_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const statuses = await Promise.all([
        call(a, 'GET', '/readyz'),
        call(b, 'POST', collection, seedSnapshot(`after-outage-${Date.now()}`)),
      ]);
      recovered = statuses[0].status === 200 && statuses[1].status === 201;
      if (!recovered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(recovered).toBe(true);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });
});
