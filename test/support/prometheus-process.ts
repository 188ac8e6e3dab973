import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { stringify } from 'yaml';
import { freePorts } from './ports.js';

/** How long Prometheus gets to become ready. */
const STARTUP_TIMEOUT_MS = 30_000;

export interface PrometheusOptions {
  /** `host:port` of the targets to scrape every second (job `target`). */
  readonly targets: readonly string[];
  /** Serve HTTPS with this certificate and key (PEM files); the URL is then https. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caPem: string };
}

/** An instant query's answer, as the HTTP API gives it. */
export interface QueryAnswer {
  readonly status: string;
  readonly data: { readonly resultType: string; readonly result: unknown };
}

/** The `prometheus` binary (Debian's package, which .ci/run installs); missing is an error, never a skip. */
export function prometheusBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('prometheus is missing: install it with `apt-get install -y prometheus` (.ci/run does)');
  }
}

/**
 * A real Prometheus for tests, on 127.0.0.1 with a free port and a temporary data directory,
 * scraping the given targets every second. It can be stopped and started again on the same
 * port and data, which is what the outage tests need.
 */
export class PrometheusProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly options: PrometheusOptions,
  ) {}

  static async start(options: PrometheusOptions): Promise<PrometheusProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-test-'));
    const [port] = await freePorts(1);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ job_name: 'target', static_configs: [{ targets: options.targets }] }],
      }),
    );
    if (options.tls) {
      writeFileSync(
        join(dir, 'web.yml'),
        stringify({ tls_server_config: { cert_file: options.tls.certFile, key_file: options.tls.keyFile } }),
      );
    }
    const prometheus = new PrometheusProcess(dir, port, options);
    try {
      await prometheus.start();
    } catch (error) {
      await prometheus.dispose();
      throw error;
    }
    return prometheus;
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts Prometheus (again) on the same port and data; resolves once it is ready. */
  async start(): Promise<void> {
    if (this.child) throw new Error('prometheus is already running');
    const args = [
      `--config.file=${join(this.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.port}`,
      '--log.level=warn',
      ...(this.options.tls ? [`--web.config.file=${join(this.dir, 'web.yml')}`] : []),
    ];
    this.output = '';
    const child = spawn(prometheusBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`prometheus exited while starting:\n${this.output}`);
      if ((await this.get('/-/ready').catch(() => undefined))?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`prometheus did not become ready within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`);
  }

  /** Stops Prometheus (SIGTERM, SIGKILL after 5 s), keeping its data for a later start(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(forced);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** An instant query at `time` (epoch seconds), straight to the HTTP API. */
  async query(query: string, time?: number): Promise<QueryAnswer> {
    const params = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time) }) });
    const response = await this.get(`/api/v1/query?${params}`);
    return JSON.parse(response.body) as QueryAnswer;
  }

  /**
   * Waits until every target has been scraped, and two seconds more, so that a query at the
   * last whole second (as collections make) sees their series.
   */
  async waitForTargets(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const answer = await this.query('min(up{job="target"})').catch(() => undefined);
      const result = answer?.data.result as { value: [number, string] }[] | undefined;
      if (result?.[0]?.value[1] === '1') {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus did not scrape its targets within ${timeoutMs} ms:\n${this.output}`);
  }

  private async get(path: string): Promise<{ status: number; body: string }> {
    if (!this.options.tls) {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.text() };
    }
    const ca = this.options.tls.caPem;
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { ca, agent: false, timeout: 5_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  }
}
