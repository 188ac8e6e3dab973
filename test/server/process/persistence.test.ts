import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedSnapshot } from '../support/test-server.js';
import { call, runServerCommand, startServerProcess } from './server-process.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

describe('the server process', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'persistence-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('killed hard mid-write, it keeps every acknowledged object after a restart', async () => {
    const args = ['--standalone', '--secure-port=0', `--data-dir=${dataDir}`];
    const first = await startServerProcess(args);
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        try {
          const r = await call(first, 'POST', collection, seedSnapshot(name));
          if (r.status === 201) acknowledged.push(name);
        } catch {
          return; // the connection died with the server: this write was never acknowledged
        }
      }
    });
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    first.agent.destroy();

    const second = await startServerProcess(args);
    const list = JSON.parse((await call(second, 'GET', collection)).text) as {
      items: { metadata: { name: string } }[];
    };
    const stored = new Set(list.items.map((i) => i.metadata.name));
    const lost = acknowledged.filter((name) => !stored.has(name));
    expect(lost).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
    const after = await call(second, 'POST', collection, seedSnapshot('after-restart'));
    expect(after.status).toBe(201);
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    second.agent.destroy();
  });

  test('SIGTERM shuts down cleanly with exit code 0', async () => {
    const server = await startServerProcess(['--standalone', '--secure-port=0', `--data-dir=${dataDir}`]);
    server.child.kill('SIGTERM');
    const code = await new Promise((resolve) => server.child.once('exit', resolve));
    server.agent.destroy();
    // The whole output is in the comparison so a failure shows what the server said.
    expect({ code, output: server.output() }).toEqual({
      code: 0,
      output: expect.stringContaining('"msg":"shut down"'),
    });
  });

  test('an unknown flag fails with a clear message and no stack trace', async () => {
    const { code, output } = await runServerCommand(['--secure-prot=6443']);
    expect(code).toBe(2);
    expect(output).toContain('Error: unknown flag: --secure-prot');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
