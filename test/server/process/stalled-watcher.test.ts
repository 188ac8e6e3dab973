import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { seedSnapshot } from '../support/test-server.js';
import { call, startServerProcess, type ServerProcess } from './server-process.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

/** A watch over HTTP/1.1 whose client never reads a byte of the answer. */
function stalledWatch(server: ServerProcess): TLSSocket {
  const { ca, cert, key } = server.agent.options;
  const socket = connect({ host: '127.0.0.1', port: server.port, ca, cert, key, servername: 'localhost' });
  socket.write(`GET ${collection}?watch=true HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  socket.pause();
  socket.on('error', () => undefined);
  return socket;
}

/** The server's count of open watches, from its own metrics. */
async function openWatches(server: ServerProcess): Promise<number> {
  const metrics = (await call(server, 'GET', '/metrics')).text;
  const lines = metrics.split('\n').filter((l) => l.startsWith('apiserver_longrunning_requests{'));
  return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('a watcher that does not read', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'stalled-watcher-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('is closed once its buffer is full, and the server survives hundreds of large updates with a 300 MB heap', async () => {
    const server = await startServerProcess(
      ['--standalone', '--secure-port=0', `--data-dir=${dataDir}`],
      ['--max-old-space-size=300'],
    );
    try {
      // Four objects of about 200 KiB (annotations may hold 256 KiB), updated in turn: each
      // event holds the object before and after, 400 KiB; 600 updates are 240 MB of events.
      const big = 'x'.repeat(200 * 1024);
      const names = ['a', 'b', 'c', 'd'];
      for (const name of names) {
        const body = { ...seedSnapshot(name), metadata: { name, annotations: { big: `${big}0` } } };
        expect((await call(server, 'POST', collection, body)).status).toBe(201);
      }
      const stalled = stalledWatch(server);
      for (let waited = 0; (await openWatches(server)) < 1; waited += 100) {
        if (waited > 10_000) throw new Error('the watch did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      await Promise.all(
        names.map(async (name) => {
          for (let i = 1; i <= 150; i++) {
            const r = await call(
              server,
              'PATCH',
              `${collection}/${name}`,
              { metadata: { annotations: { big: `${big}${i}` } } },
              'application/merge-patch+json',
            ).catch((error: unknown) => ({ status: 0, text: String(error) }));
            expect(r.status).toBe(200);
          }
        }),
      );
      // Closed once its buffer was full (or, at the latest, once its events waited that long).
      let open = await openWatches(server);
      for (let waited = 0; open > 0 && waited < 30_000; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        open = await openWatches(server);
      }
      expect(open).toBe(0);
      stalled.destroy();
      expect(server.child.exitCode).toBeNull();
      expect((await call(server, 'GET', '/readyz')).status).toBe(200);
      const heap = /^nodejs_heap_size_used_bytes (\d+)/m.exec((await call(server, 'GET', '/metrics')).text);
      expect(Number(heap?.[1])).toBeLessThan(300 * 1024 * 1024);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
      server.agent.destroy();
    }
  }, 240_000);
});
