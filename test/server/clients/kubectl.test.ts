import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { k8sTool } from '../../support/k8s-tools.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { seedManifest } from '../../support/seed.js';

const run = promisify(execFile);

describe('kubectl against the standalone server', () => {
  let t: TestServer;
  let kubectlPath: string;
  let manifest: string;
  const kubectl = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(kubectlPath, ['--kubeconfig', t.kubeconfigPath, ...args], {
        timeout: 30_000,
      });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
    }
  };

  beforeAll(async () => {
    kubectlPath = k8sTool('kubectl');
    t = await startTestServer({ storage: 'sqlite' });
    manifest = join(t.dataDir, 'seed.yaml');
    writeFileSync(manifest, seedManifest);
  });
  afterAll(async () => t?.stop());

  test("the seed's commands: apply, get, get -o yaml, delete", async () => {
    expect(await kubectl('apply', '-f', manifest)).toContain(
      'metricsnapshot.metrics.example.com/app-metrics created',
    );
    const table = await kubectl('get', 'metricsnapshots');
    expect(table).toMatch(/^NAME\s+SOURCE\s+METRICS\s+INTERVAL\s+READY\s+LAST COLLECTED\s+AGE\n/);
    expect(table).toMatch(
      /app-metrics\s+prometheus\s+cpu_usage,memory_usage,request_count\s+1m\s+<none>\s+<none>\s+\d+s/,
    );
    const yaml = await kubectl('get', 'metricsnapshot', 'app-metrics', '-o', 'yaml');
    expect(yaml).toContain('kind: MetricSnapshot');
    expect(yaml).toContain('source: prometheus');
    expect(await kubectl('delete', 'metricsnapshot', 'app-metrics')).toContain(
      'metricsnapshot.metrics.example.com "app-metrics" deleted',
    );
    expect(await kubectl('get', 'metricsnapshots', '-o', 'name')).toBe('');
  });

  test('apply twice is unchanged the second time; a changed manifest is configured', async () => {
    expect(await kubectl('apply', '-f', manifest)).toContain('created');
    expect(await kubectl('apply', '-f', manifest)).toContain('unchanged');
    writeFileSync(manifest, seedManifest.replace('interval: 1m', 'interval: 30s'));
    expect(await kubectl('apply', '-f', manifest)).toContain('configured');
    expect(await kubectl('get', 'msnap', 'app-metrics', '-o', 'jsonpath={.spec.interval}')).toBe('30s');
    writeFileSync(manifest, seedManifest);
  });

  test('server-side apply, with field ownership and conflicts', async () => {
    const ssa = join(t.dataDir, 'ssa.yaml');
    writeFileSync(ssa, seedManifest.replace('app-metrics', 'ssa-metrics'));
    expect(await kubectl('apply', '--server-side', '-f', ssa)).toContain('serverside-applied');
    expect(await kubectl('apply', '--server-side', '-f', ssa)).toContain('serverside-applied');
    const managed = await kubectl(
      'get',
      'msnap',
      'ssa-metrics',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    );
    expect(managed).toContain('kubectl');
    writeFileSync(
      ssa,
      seedManifest.replace('app-metrics', 'ssa-metrics').replace('source: prometheus', 'source: datadog'),
    );
    await expect(kubectl('apply', '--server-side', '--field-manager=other', '-f', ssa)).rejects.toThrow(
      /conflict/i,
    );
    await kubectl('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', ssa);
    expect(await kubectl('get', 'msnap', 'ssa-metrics', '-o', 'jsonpath={.spec.source}')).toBe('datadog');
  });

  test('patch of each type', async () => {
    await kubectl('patch', 'msnap', 'app-metrics', '--type=merge', '-p', '{"spec":{"source":"merged"}}');
    expect(await kubectl('get', 'msnap', 'app-metrics', '-o', 'jsonpath={.spec.source}')).toBe('merged');
    await kubectl(
      'patch',
      'msnap',
      'app-metrics',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/interval","value":"2m"}]',
    );
    expect(await kubectl('get', 'msnap', 'app-metrics', '-o', 'jsonpath={.spec.interval}')).toBe('2m');
    await kubectl('patch', 'msnap', 'app-metrics', '-p', '{"metadata":{"labels":{"team":"sre"}}}');
    expect(await kubectl('get', 'msnap', '-l', 'team=sre', '-o', 'name')).toBe(
      'metricsnapshot.metrics.example.com/app-metrics\n',
    );
    await expect(
      kubectl('patch', 'msnap', 'app-metrics', '--type=merge', '-p', '{"spec":{"interval":"never"}}'),
    ).rejects.toThrow(/Invalid value/);
  });

  test('-o wide shows the extra columns; --chunk-size pages through a long list', async () => {
    expect(await kubectl('get', 'msnap', '-o', 'wide')).toMatch(
      /^NAME\s+SOURCE\s+METRICS\s+INTERVAL\s+READY\s+LAST COLLECTED\s+AGE\s+VALUES\s+GENERATION\n/,
    );
    const many = Array.from({ length: 12 }, (_, i) => seedManifest.replace('app-metrics', `chunk-${i}`)).join(
      '---\n',
    );
    writeFileSync(join(t.dataDir, 'many.yaml'), many);
    await kubectl('apply', '-f', join(t.dataDir, 'many.yaml'));
    const names = (await kubectl('get', 'msnap', '--chunk-size=5', '-o', 'name')).trim().split('\n');
    expect(names.filter((n) => n.includes('chunk-'))).toHaveLength(12);
  });

  test('explain reads the published OpenAPI schema', async () => {
    const explained = await kubectl('explain', 'metricsnapshot.spec');
    expect(explained).toContain('KIND:       MetricSnapshot');
    expect(explained).toMatch(/metrics\s+<\[\]string> -required-/);
    expect(explained).toContain('How often the snapshot is collected');
    expect(await kubectl('explain', 'metricsnapshot.metadata.labels')).toContain(
      'Map of string keys and values',
    );
  });

  test('get -w sees a change', async () => {
    const watcher = spawn(kubectlPath, [
      '--kubeconfig',
      t.kubeconfigPath,
      'get',
      'msnap',
      'app-metrics',
      '-w',
      '--output-watch-events',
    ]);
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) throw new Error(`kubectl get -w never printed ${pattern}: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor(/ADDED\s+app-metrics/);
    await kubectl('patch', 'msnap', 'app-metrics', '--type=merge', '-p', '{"spec":{"source":"watched"}}');
    await waitFor(/MODIFIED\s+app-metrics\s+watched/);
    watcher.kill();
  });

  test('validation errors are printed field by field', async () => {
    const bad = join(t.dataDir, 'bad.yaml');
    writeFileSync(bad, seedManifest.replace('app-metrics', 'Bad_Name'));
    await expect(kubectl('apply', '-f', bad)).rejects.toThrow(/metadata.name: Invalid value: "Bad_Name"/);
    writeFileSync(
      bad,
      seedManifest.replace('app-metrics', 'strict').replace('interval: 1m', 'interval: 1m\n  colour: blue'),
    );
    await expect(kubectl('apply', '--validate=strict', '-f', bad)).rejects.toThrow(
      /unknown field "spec.colour"/,
    );
  });

  test('delete --dry-run=server keeps the object (client-go sends dryRun in the DeleteOptions body)', async () => {
    const dry = join(t.dataDir, 'dry-delete.yaml');
    writeFileSync(dry, seedManifest.replace('app-metrics', 'dry-delete'));
    await kubectl('apply', '-f', dry);
    expect(await kubectl('delete', 'msnap', 'dry-delete', '--dry-run=server')).toContain(
      '"dry-delete" deleted from default namespace (server dry run)',
    );
    expect(await kubectl('get', 'msnap', 'dry-delete', '-o', 'name')).toBe(
      'metricsnapshot.metrics.example.com/dry-delete\n',
    );
    await kubectl('delete', '-f', dry, '--dry-run=server');
    expect(await kubectl('get', 'msnap', 'dry-delete', '-o', 'name')).toContain('dry-delete');
    await kubectl('delete', '-f', dry);
  });
});
