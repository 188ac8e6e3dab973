/**
 * The hostile-client fuzz suite (`npm run fuzz`): thousands of malformed and abusive requests of
 * the families of issue 10 (request-families.ts), over HTTP/1.1 and HTTP/2, against a real server
 * process on the embedded storage (and on etcd with `--storage=etcd`). It is seeded (`--seed`,
 * printed at the start, reproduces a run) and bounded in time (`--seconds`).
 *
 * It asserts, for every request: the process is still running, the answer is not a 5xx (503 and
 * 504 are allowed only while etcd answers so), every error body is a `Status` whose code is the
 * response's and whose message carries no engine text (stack traces, stack overflows, gRPC or
 * addresses), every Warning header is printable ASCII; and at the end, that the server still
 * answers /readyz and that its heap came back near where it started.
 *
 * Exit code 0 when nothing was found, 1 with a report of each finding (the first ones in full).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { EtcdProcess } from '../support/etcd-process.js';
import { startServerProcess, type ServerProcess } from '../server/process/server-process.js';
import { FuzzClient, type Credentials, type FuzzResponse } from './fuzz-client.js';
import { Random } from './random.js';
import {
  COLLECTION,
  FAMILIES,
  FAMILY_WEIGHTS,
  NAMESPACE,
  SEED_NAMES,
  seedObject,
  type FuzzRequest,
} from './request-families.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Options {
  readonly seed: number;
  readonly seconds: number;
  readonly storage: 'sqlite' | 'etcd';
  readonly workers: number;
  /** The server's heap limit, in MB: small enough that a leak shows within a run. */
  readonly heapMb: number;
}

interface Finding {
  readonly family: string;
  readonly protocol: string;
  readonly request: string;
  readonly problem: string;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const seed = Number(value('seed') ?? process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const storage = value('storage') ?? 'sqlite';
  if (storage !== 'sqlite' && storage !== 'etcd')
    throw new Error(`--storage must be sqlite or etcd, not ${storage}`);
  return {
    seed,
    seconds: Number(value('seconds') ?? process.env.FUZZ_SECONDS ?? 120),
    storage,
    workers: Number(value('workers') ?? 8),
    heapMb: Number(value('heap-mb') ?? 384),
  };
}

/** What in an error message would be the engine talking rather than the API. */
const ENGINE_TEXT =
  /call stack|RangeError|TypeError|ReferenceError|SyntaxError: Unexpected|\bat [\w.<>]+ \(|\.(ts|js):\d+|remote_addr|grpc|ECONN|EPIPE|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d+/i;

/** kube's own 5xx: a read at a resource version the storage has not reached answers 504. */
function tooLargeVersion(response: FuzzResponse): boolean {
  if (response.status !== 504) return false;
  try {
    const status = JSON.parse(response.body.toString('utf8')) as { reason?: unknown; message?: unknown };
    return status.reason === 'Timeout' && /^Too large resource version/.test(String(status.message));
  } catch {
    return false;
  }
}

/** The problems with one response, if any. */
function check(request: FuzzRequest, response: FuzzResponse, etcdMayFail: boolean): string[] {
  const problems: string[] = [];
  const { status } = response;
  if (status >= 500 && !(etcdMayFail && (status === 503 || status === 504)) && !tooLargeVersion(response)) {
    problems.push(`answered ${status}`);
  }
  for (const warning of [response.headers.warning ?? []].flat()) {
    if (!/^[\x20-\x7e]*$/.test(warning))
      problems.push(`a Warning header is not printable ASCII: ${warning.slice(0, 80)}`);
  }
  const statusLine = status >= 400 && !(request.watch && status === 200);
  if (statusLine && request.method !== 'HEAD') {
    let body: unknown;
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch {
      problems.push(
        `a ${status} whose body is not JSON: ${JSON.stringify(response.body.toString('utf8').slice(0, 120))}`,
      );
      return problems;
    }
    const s = body as {
      kind?: unknown;
      apiVersion?: unknown;
      status?: unknown;
      code?: unknown;
      message?: unknown;
    };
    if (s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure' || s.code !== status) {
      problems.push(`a ${status} whose body is not its Status: ${JSON.stringify(body).slice(0, 200)}`);
    }
    if (typeof s.message === 'string' && ENGINE_TEXT.test(s.message)) {
      problems.push(`a Status message with engine text: ${s.message.slice(0, 200)}`);
    }
  }
  return problems;
}

function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : ` body(${Buffer.byteLength(request.body)} bytes): ${JSON.stringify(String(request.body).slice(0, 160))}`;
  return `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)}${body}`;
}

/** The server's heap in use, in bytes, from its own metrics. */
async function heapUsed(client: FuzzClient): Promise<number> {
  const response = await client.send(
    { family: 'metrics', method: 'GET', path: '/metrics', headers: {} },
    'http/1.1',
  );
  const match = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(
    response.body.toString('utf8'),
  );
  if (!match) throw new Error('the server reports no nodejs_heap_size_used_bytes');
  return Number(match[1]);
}

/** The heap after full garbage collections (see collect-garbage-on-signal.ts): live objects only. */
async function liveHeap(client: FuzzClient, server: ServerProcess): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < 3; i++) {
    server.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    lowest = Math.min(lowest, await heapUsed(client));
  }
  return lowest;
}

async function ensureSeeds(client: FuzzClient): Promise<void> {
  for (const name of SEED_NAMES) {
    await client
      .send(
        {
          family: 'seed',
          method: 'POST',
          path: COLLECTION,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(seedObject(name)),
        },
        'http/1.1',
      )
      .catch(() => undefined);
  }
}

function credentialsOf(dataDir: string): Credentials {
  const config = parseYaml(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  return {
    ca: decode(config.clusters[0].cluster['certificate-authority-data']),
    cert: decode(config.users[0].user['client-certificate-data']),
    key: decode(config.users[0].user['client-key-data']),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  process.stdout.write(
    `fuzz: seed=${options.seed} seconds=${options.seconds} storage=${options.storage} workers=${options.workers} heap=${options.heapMb}MB\n`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const etcd = options.storage === 'etcd' ? await EtcdProcess.start() : undefined;
  let server: ServerProcess | undefined;
  const findings: Finding[] = [];
  const counts = new Map<string, number>();
  let clients: FuzzClient[] = [];
  try {
    server = await startServerProcess(
      [
        '--standalone',
        '--secure-port=0',
        `--data-dir=${dataDir}`,
        ...(etcd ? [`--etcd-servers=${etcd.clientUrl}`] : []),
      ],
      [
        `--max-old-space-size=${options.heapMb}`,
        '--expose-gc',
        '--import',
        'tsx',
        '--import',
        join(here, 'collect-garbage-on-signal.ts'),
      ],
    );
    const baseUrl = `https://127.0.0.1:${server.port}`;
    const credentials = credentialsOf(dataDir);
    const control = new FuzzClient(baseUrl, credentials);
    clients.push(control);
    await control.send(
      {
        family: 'seed',
        method: 'GET',
        path: `/api/v1/namespaces/${NAMESPACE}`,
        headers: {},
      },
      'http/1.1',
    );
    await ensureSeeds(control);
    const startHeap = await liveHeap(control, server);

    const random = new Random(options.seed);
    const deadline = Date.now() + options.seconds * 1000;
    const running = server;
    const worker = async (index: number): Promise<void> => {
      const mine = random.fork();
      const client = new FuzzClient(baseUrl, credentials);
      clients.push(client);
      for (let n = 0; Date.now() < deadline && running.child.exitCode === null; n++) {
        const family = mine.weighted(FAMILY_WEIGHTS);
        const request = FAMILIES[family](mine);
        const protocol = request.http2Only || index % 2 === 1 ? 'h2' : 'http/1.1';
        counts.set(family, (counts.get(family) ?? 0) + 1);
        try {
          const response = await client.send(request, protocol);
          for (const problem of check(request, response, etcd !== undefined)) {
            findings.push({ family, protocol, request: describeRequest(request), problem });
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // A hung-up watch or a refused HTTP/2 stream is the transport, not a finding; a
          // connection the server dropped is one only if the server died (checked below).
          if (/HPE_HEADER_OVERFLOW/.test(message) || /no answer within/.test(message)) {
            findings.push({ family, protocol, request: describeRequest(request), problem: message });
          }
        }
        if (n % 50 === 0) await ensureSeeds(client);
      }
    };
    await Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));

    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    if (server.child.exitCode !== null) {
      findings.push({
        family: '-',
        protocol: '-',
        request: '-',
        problem: `the server exited: ${server.output().slice(-2000)}`,
      });
    } else {
      for (const client of clients.slice(1)) client.close();
      clients = [control];
      const ready = await control.send(
        { family: 'readyz', method: 'GET', path: '/readyz', headers: {} },
        'http/1.1',
      );
      if (ready.status !== 200)
        findings.push({
          family: '-',
          protocol: '-',
          request: 'GET /readyz',
          problem: `answered ${ready.status}`,
        });
      const endHeap = await liveHeap(control, server);
      const allowed = startHeap + Math.max(64 * 1024 * 1024, startHeap * 0.5);
      process.stdout.write(
        `fuzz: heap ${Math.round(startHeap / 2 ** 20)} MB at the start, ${Math.round(endHeap / 2 ** 20)} MB at the end\n`,
      );
      if (endHeap > allowed) {
        findings.push({
          family: '-',
          protocol: '-',
          request: '-',
          problem: `the heap did not come back: ${Math.round(endHeap / 2 ** 20)} MB, started at ${Math.round(startHeap / 2 ** 20)} MB`,
        });
      }
    }
    process.stdout.write(
      `fuzz: ${total} requests: ${[...counts].map(([family, count]) => `${family} ${count}`).join(', ')}\n`,
    );
  } finally {
    for (const client of clients) client.close();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server?.child.once('exit', resolve));
    }
    server?.agent.destroy();
    await etcd?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (findings.length === 0) {
    process.stdout.write('fuzz: nothing found\n');
    return 0;
  }
  const byProblem = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.family}: ${finding.problem.replace(/\d+/g, 'N').slice(0, 120)}`;
    byProblem.set(key, [...(byProblem.get(key) ?? []), finding]);
  }
  process.stdout.write(
    `fuzz: ${findings.length} findings of ${byProblem.size} kinds (seed ${options.seed})\n`,
  );
  for (const [kind, list] of byProblem) {
    const first = list[0];
    process.stdout.write(
      `\n- ${kind} (${list.length}x)\n  ${first.protocol} ${first.request}\n  ${first.problem}\n`,
    );
  }
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
