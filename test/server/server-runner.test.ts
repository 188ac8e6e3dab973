import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  declarativeDocument,
  defineResource,
  ResourceDefinitionError,
  type ResourceSpec,
} from '../../api/index.js';
import { gadgetSpec } from '../support/gadget-spec.js';
import { FlagError } from '../../server/options/flag-parser.js';
import { parseServerFlags } from '../../server/options/server-flags.js';
import { startApiServer } from '../../server/server-runner.js';
import { MemoryStorage } from '../../server/storage/memory-storage.js';
import { silentLogger } from '../../server/util/logger.js';
import { metricSnapshot } from '../../resources/metricsnapshot/index.js';
import { startTestServer } from './support/test-server.js';

const gadgets: ResourceSpec = gadgetSpec;

describe('startApiServer', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'runner-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const start = (args: string[]) =>
    startApiServer(
      parseServerFlags([
        '--standalone',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        `--data-dir=${directory}`,
        ...args,
      ]),
      silentLogger,
      { resources: [metricSnapshot], storage: new MemoryStorage() },
    );

  test('serves declarative resources from --resource-definitions beside the ones given in code', async () => {
    const file = join(directory, 'resources.json');
    writeFileSync(file, JSON.stringify(declarativeDocument([defineResource(gadgets)])));
    const t = await startTestServer({ args: [`--resource-definitions=${file}`] });
    try {
      const collection = '/apis/ops.acme.io/v1/namespaces/default/gadgets';
      expect(
        (await t.request('POST', collection, { body: { metadata: { name: 'on' }, spec: { mode: 'on' } } }))
          .status,
      ).toBe(201);
      const off = await t.request('POST', collection, {
        body: { metadata: { name: 'off' }, spec: { mode: 'off' } },
      });
      expect(off.status).toBe(422);
      expect(off.text).toContain('a gadget is never off');
      expect((await t.request('GET', '/apis/metrics.example.com/v1')).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  test('a bad definitions file stops startup with every problem, before anything is served', async () => {
    const file = join(directory, 'resources.json');
    const bad = {
      ...declarativeDocument([defineResource(gadgets)]),
      resources: [{ ...gadgets, group: 'nodots' }],
    };
    writeFileSync(file, JSON.stringify(bad));
    const failure = await start([`--resource-definitions=${file}`]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResourceDefinitionError);
    expect((failure as ResourceDefinitionError).problems).toEqual([
      expect.stringContaining('group "nodots" must contain at least one dot'),
    ]);
  });

  test('--resources serves only the resources it names, and refuses names the server does not know', async () => {
    const file = join(directory, 'resources.json');
    writeFileSync(file, JSON.stringify(declarativeDocument([defineResource(gadgets)])));
    const t = await startTestServer({
      args: [`--resource-definitions=${file}`, '--resources=gadgets.ops.acme.io'],
    });
    try {
      expect((await t.request('GET', '/apis/ops.acme.io/v1')).status).toBe(200);
      expect((await t.request('GET', '/apis/metrics.example.com/v1')).status).toBe(404);
    } finally {
      await t.stop();
    }
    await expect(start(['--resources=widgets.acme.io'])).rejects.toThrow(
      new FlagError(
        '--resources: widgets.acme.io not defined; this server knows metricsnapshots.metrics.example.com',
      ),
    );
  });

  test('a resource defined twice, or an unknown admission plugin to disable, is a flag error', async () => {
    const file = join(directory, 'resources.json');
    writeFileSync(file, JSON.stringify(declarativeDocument([metricSnapshotData()])));
    await expect(start([`--resource-definitions=${file}`])).rejects.toThrow(
      new FlagError('the resource metricsnapshots.metrics.example.com is defined more than once'),
    );
    await expect(start(['--disable-admission-plugins=Nonsense'])).rejects.toThrow(/unknown plugin Nonsense/);
  });

  test('the built-in admission plugins can be named in --disable-admission-plugins even where they do not run', async () => {
    const server = await start([
      '--disable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook',
    ]);
    await server.shutdown();
  });
});

/** A plain-data resource with MetricSnapshot's name, to collide with the built-in one. */
function metricSnapshotData() {
  return defineResource({ ...gadgets, group: 'metrics.example.com', kind: 'MetricSnapshot' });
}
