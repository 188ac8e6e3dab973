import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SERVER_RUNTIME_PACKAGES } from '../../server/runtime-packages.js';

const run = promisify(execFile);
const repo = process.cwd();
const fixture = join(repo, 'test/package/user-server');

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

/**
 * The published package is complete: a project outside the repository installs the packed
 * tarball, compiles a server entry with its own resource and a custom Storage against its types
 * (no internal paths), runs it, and runs the storage conformance kit under node:test.
 */
describe('the packed package, as a user outside the repository gets it', () => {
  let project: string;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'aggregated-apiserver-user-'));
    await run('npm', ['run', 'build'], { cwd: repo });
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: repo });
    const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
    cpSync(fixture, project, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    manifest.dependencies = { 'aggregated-apiserver': `file:./${filename}` };
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    // A server needs the runtime packages the constructs do not (optional peers of the package).
    // No install scripts: the entry's resource brings its own storage, so no native database is built.
    const runtime = SERVER_RUNTIME_PACKAGES.map((p) => `${p.name}@${p.range}`);
    await run(
      'npm',
      ['install', ...runtime, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: project,
      },
    );
  }, 300_000);

  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(project, { recursive: true, force: true });
  });

  test('a server entry and a custom Storage compile against the public types alone', async () => {
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const types = join(repo, 'node_modules/@types');
    await run(process.execPath, [tsc, '-p', project, '--typeRoots', types]);
    expect(existsSync(join(project, 'dist/main.js'))).toBe(true);
  }, 120_000);

  test('the entry serves its resource from its own storage, with CEL rules, in standalone mode', async () => {
    const dataDir = join(project, 'data');
    server = spawn(
      process.execPath,
      ['dist/main.js', '--standalone', '--secure-port=0', `--data-dir=${dataDir}`],
      {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Serving on')) resolve();
      });
      server!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server!.on('exit', (code) => reject(new Error(`the server exited (${code}): ${output}`)));
    });
    const config = parseYaml(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as Kubeconfig;
    const port = /Serving on https:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1];
    const decode = (b64: string): string => Buffer.from(b64, 'base64').toString();
    const call = (
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; json: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const r = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method,
            ca: decode(config.clusters[0].cluster['certificate-authority-data']),
            cert: decode(config.users[0].user['client-certificate-data']),
            key: decode(config.users[0].user['client-key-data']),
            headers: text ? { 'Content-Type': 'application/json' } : {},
          },
          (res) => {
            let data = '';
            res.on('data', (c: Buffer) => (data += c.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Record<string, unknown> }),
            );
          },
        );
        r.on('error', reject);
        r.end(text);
      });
    const collection = '/apis/gizmos.example.org/v1/namespaces/default/gizmos';
    const gizmo = (teeth: number) => ({ metadata: { name: `g${teeth}` }, spec: { teeth } });
    expect((await call('POST', collection, gizmo(4))).status).toBe(201);
    const odd = await call('POST', collection, gizmo(3));
    expect(odd.status).toBe(422);
    expect(JSON.stringify(odd.json)).toContain('teeth come in pairs');
    expect((await call('GET', `${collection}/g4`)).json).toMatchObject({ spec: { teeth: 4 } });
    expect(readFileSync(join(dataDir, 'writes.log'), 'utf8')).toBe(
      'create /gizmos.example.org/gizmos/default/g4\n',
    );
  }, 60_000);

  test('the storage conformance kit runs under node:test against the custom Storage', async () => {
    const { stdout } = await run(process.execPath, ['--test', 'dist/conformance.test.js'], { cwd: project });
    expect(stdout).toMatch(/# fail 0/);
    expect(stdout).toMatch(/# pass [1-9][0-9]+/);
  }, 120_000);
});
