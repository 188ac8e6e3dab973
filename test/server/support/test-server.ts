import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import { parse as parseYaml } from 'yaml';
import { parseServeFlags } from '../../../server/controllers/controller-flags.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { startApiServer, type RunningApiServer, type ServeOptions } from '../../../server/server-runner.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { silentLogger } from '../../../server/util/logger.js';

export interface TestServer {
  readonly server: RunningApiServer;
  readonly baseUrl: string;
  readonly dataDir: string;
  readonly kubeconfigPath: string;
  /** TLS material of the admin user, for raw HTTPS requests. */
  readonly admin: { readonly ca: string; readonly cert: string; readonly key: string };
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** Opens a streaming GET (a watch) and yields its JSON lines as they arrive. */
  watch(path: string, options?: RequestOptions): Promise<WatchStream>;
  stop(): Promise<void>;
}

export interface WatchStream {
  readonly status: number;
  /** The next event, or undefined when the stream ended; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<{ type: string; object: Record<string, unknown> } | undefined>;
  /** Whether the server has ended the stream. */
  ended(): boolean;
  close(): void;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Send no client certificate (anonymous). */
  readonly anonymous?: boolean;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

interface KubeconfigFile {
  clusters: { cluster: { 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

/**
 * A real server on a free loopback port, in standalone mode (local CA, admin certificate,
 * kubeconfig), with in-memory storage unless the test asks for the embedded database.
 */
export async function startTestServer(
  options: { args?: string[]; storage?: 'memory' | 'sqlite'; serve?: Partial<ServeOptions> } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aggregated-apiserver-test-'));
  const flags = parseServeFlags(
    [
      '--standalone',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      `--data-dir=${dataDir}`,
      ...(options.args ?? []),
    ],
    options.serve?.controllers,
  );
  const storage = options.storage === 'sqlite' ? undefined : new MemoryStorage();
  const server = await startApiServer(flags, silentLogger, {
    resources: [metricSnapshot],
    storage,
    ...options.serve,
  });
  const kubeconfigPath = server.kubeconfigPath ?? '';
  const config = parseYaml(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  const admin = {
    ca: decode(config.clusters[0].cluster['certificate-authority-data']),
    cert: decode(config.users[0].user['client-certificate-data']),
    key: decode(config.users[0].user['client-key-data']),
  };
  const agent = new Agent({ ca: admin.ca, cert: admin.cert, key: admin.key, keepAlive: false });
  const anonymousAgent = new Agent({ ca: admin.ca, keepAlive: false });
  const baseUrl = `https://127.0.0.1:${server.port}`;

  const request = (method: string, path: string, req: RequestOptions = {}): Promise<TestResponse> =>
    new Promise((resolve, reject) => {
      const body =
        req.body === undefined
          ? undefined
          : typeof req.body === 'string' || Buffer.isBuffer(req.body)
            ? req.body
            : JSON.stringify(req.body);
      const headers: Record<string, string> = {
        ...(body !== undefined
          ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
          : {}),
        ...req.headers,
      };
      const r = httpsRequest(
        `${baseUrl}${path}`,
        { method, headers, agent: req.anonymous ? anonymousAgent : agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      if (body !== undefined) r.write(body);
      r.end();
    });

  const watch = (path: string, req: RequestOptions = {}): Promise<WatchStream> =>
    new Promise((resolve, reject) => {
      const r = httpsRequest(
        `${baseUrl}${path}`,
        { method: 'GET', headers: req.headers, agent: req.anonymous ? anonymousAgent : agent },
        (res) => {
          const lines: string[] = [];
          const waiters: (() => void)[] = [];
          let buffer = '';
          let done = false;
          const wake = (): void => waiters.splice(0).forEach((w) => w());
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let newline = buffer.indexOf('\n');
            while (newline >= 0) {
              if (buffer.slice(0, newline).trim()) lines.push(buffer.slice(0, newline));
              buffer = buffer.slice(newline + 1);
              newline = buffer.indexOf('\n');
            }
            wake();
          });
          const finish = (): void => {
            done = true;
            wake();
          };
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
          resolve({
            status: res.statusCode ?? 0,
            ended: () => done && lines.length === 0,
            close: () => r.destroy(),
            next: async (timeoutMs = 5000) => {
              const deadline = Date.now() + timeoutMs;
              while (lines.length === 0 && !done) {
                const remaining = deadline - Date.now();
                if (remaining <= 0) throw new Error(`no watch event within ${timeoutMs}ms`);
                await new Promise<void>((wakeUp) => {
                  const timer = setTimeout(wakeUp, remaining);
                  waiters.push(() => {
                    clearTimeout(timer);
                    wakeUp();
                  });
                });
              }
              const line = lines.shift();
              return line === undefined
                ? undefined
                : (JSON.parse(line) as { type: string; object: Record<string, unknown> });
            },
          });
        },
      );
      r.on('error', reject);
      r.end();
    });

  return {
    server,
    baseUrl,
    watch,
    dataDir,
    kubeconfigPath,
    admin,
    request,
    stop: async () => {
      await server.shutdown();
      // A storage given for every resource is the caller's to close.
      await (options.serve?.storage ?? storage)?.close();
      agent.destroy();
      anonymousAgent.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The seed's MetricSnapshot, as the article applies it. */
export function seedSnapshot(name = 'app-metrics', namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'metrics.example.com/v1',
    kind: 'MetricSnapshot',
    metadata: { name, namespace },
    spec: { source: 'prometheus', metrics: ['cpu_usage', 'memory_usage', 'request_count'], interval: '1m' },
  };
}
