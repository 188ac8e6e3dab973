import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The package as a user gets it: `npm pack`ed, installed into a fresh project next to the
 * frameworks only (no server runtime), and used from CommonJS and ESM under every module
 * resolution TypeScript offers, type-checked with skipLibCheck: false and run.
 */

const run = promisify(execFile);
const repo = process.cwd();
const own = (name: string) =>
  (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** What a user installs for the constructs: the package and the frameworks, pinned as this repo has them. */
const CONSUMER_DEPENDENCIES = [
  `cdk8s@${own('cdk8s')}`,
  `constructs@${own('constructs')}`,
  `@pulumi/pulumi@${own('@pulumi/pulumi')}`,
  `@pulumi/kubernetes@${own('@pulumi/kubernetes')}`,
  `@pulumi/tls@${own('@pulumi/tls')}`,
  `typescript@${own('typescript')}`,
  `@types/node@${own('@types/node')}`,
];

/** The server's runtime: a construct-only install must neither fetch nor build any of it. */
const SERVER_RUNTIME = [
  'better-sqlite3',
  'etcd3',
  '@kubernetes/client-node',
  'prom-client',
  'fast-json-patch',
];

/**
 * Uses every entry point a construct user has: the root, api, metricsnapshot, cdk8s, pulumi and
 * pulumi/testing; deploys the package's MetricSnapshot and a declarative definition of its own.
 */
const PROGRAM = `import { Chart, Testing } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { AggregatedApiServer, type AggregatedApiServerProps } from 'aggregated-apiserver/cdk8s';
import { AggregatedApiServer as PulumiAggregatedApiServer } from 'aggregated-apiserver/pulumi';
import { mintingMocks } from 'aggregated-apiserver/pulumi/testing';
import { OBJECT_ROLES, resolveConfig } from 'aggregated-apiserver';
import { defineResource, storageKey } from 'aggregated-apiserver/api';
import { metricSnapshot } from 'aggregated-apiserver/metricsnapshot';

const note = defineResource({
  group: 'notes.example.com',
  kind: 'Note',
  versions: [{ name: 'v1', schema: { type: 'object', properties: { text: { type: 'string' } } } }],
});
const resources: AggregatedApiServerProps['resources'] = [metricSnapshot, note];

async function main(): Promise<void> {
  const chart = new Chart(Testing.app(), 'consumer');
  new AggregatedApiServer(chart, 'Server', { name: 'metrics', resources });
  const objects = Testing.synth(chart) as { kind: string }[];
  await pulumi.runtime.setMocks(mintingMocks(), 'consumer', 'test', false);
  const server = new PulumiAggregatedApiServer('metrics', { name: 'metrics', resources });
  const names = await new Promise<string[]>((resolve) => server.apiServiceNames.apply(resolve));
  const caBundle = await new Promise<string>((resolve) => (server.caBundle ?? pulumi.output('')).apply(resolve));
  process.stdout.write(
    JSON.stringify({
      cdk8sApiServices: objects.filter((o) => o.kind === 'APIService').length,
      cdk8sConfigMaps: objects.filter((o) => o.kind === 'ConfigMap').length,
      pulumiApiServices: names,
      caBundle: Buffer.from(caBundle, 'base64').toString('utf8').startsWith('-----BEGIN CERTIFICATE-----'),
      roles: OBJECT_ROLES.length > 0,
      replicas: resolveConfig({ resources }).replicas,
      storageKey: typeof storageKey,
    }) + '\\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(String(error) + '\\n');
  process.exit(1);
});
`;

interface Setup {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly module: string;
  readonly moduleResolution: string;
}

const SETUPS: readonly Setup[] = [
  { name: 'ESM, nodenext', type: 'module', module: 'nodenext', moduleResolution: 'nodenext' },
  { name: 'ESM, bundler', type: 'module', module: 'esnext', moduleResolution: 'bundler' },
  { name: 'CommonJS, node16', type: 'commonjs', module: 'node16', moduleResolution: 'node16' },
  {
    name: "CommonJS, node10 (Pulumi's TypeScript template)",
    type: 'commonjs',
    module: 'commonjs',
    moduleResolution: 'node10',
  },
];

describe('the packed package in a fresh project', () => {
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aggregated-apiserver-consumer-'));
    await run('npm', ['run', 'build'], { cwd: repo, maxBuffer: 1 << 26 });
    await run('npm', ['pack', '--pack-destination', dir], { cwd: repo, maxBuffer: 1 << 26 });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(dir, tarball),
        ...CONSUMER_DEPENDENCIES,
      ],
      { cwd: dir, maxBuffer: 1 << 26 },
    );
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('GIVEN an install for the constructs THEN none of the server runtime is fetched or built', () => {
    expect(existsSync(join(dir, 'node_modules', 'aggregated-apiserver', 'package.json'))).toBe(true);
    expect(SERVER_RUNTIME.filter((name) => existsSync(join(dir, 'node_modules', name)))).toEqual([]);
  });

  test.each(SETUPS)(
    'GIVEN a $name project with skipLibCheck: false THEN it type-checks, runs, and both constructs render',
    async (setup) => {
      const project = join(dir, setup.name.replace(/[^a-z0-9]+/gi, '-'));
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ type: setup.type }));
      writeFileSync(join(project, 'index.ts'), PROGRAM);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            skipLibCheck: false,
            target: 'ES2022',
            lib: ['ES2022'],
            types: ['node'],
            module: setup.module,
            moduleResolution: setup.moduleResolution,
            esModuleInterop: true,
            outDir: 'out',
          },
          files: ['index.ts'],
        }),
      );
      const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
      await run(process.execPath, [tsc, '-p', project], { cwd: project, maxBuffer: 1 << 26 }).catch(
        (error: { stdout?: string }) => {
          throw new Error(`tsc failed for ${setup.name}:\n${error.stdout ?? String(error)}`);
        },
      );
      const { stdout } = await run(process.execPath, [join(project, 'out', 'index.js')], { cwd: project });
      expect(JSON.parse(stdout)).toEqual({
        cdk8sApiServices: 3,
        cdk8sConfigMaps: 1,
        pulumiApiServices: ['v1.metrics.example.com', 'v1beta1.metrics.example.com', 'v1.notes.example.com'],
        caBundle: true,
        roles: true,
        replicas: 2,
        storageKey: 'function',
      });
    },
    240_000,
  );
});
