import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { k8sTool } from './k8s-tools.js';

/** Serving certificate files for an etcd that speaks TLS and requires client certificates. */
export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface EtcdProcessOptions {
  /** Serve clients over TLS with these files, trusting client certificates issued by `caFile`. */
  readonly tls?: EtcdTlsFiles;
}

/** How long etcd gets to report healthy after it was started. */
const STARTUP_TIMEOUT_MS = 20_000;
/**
 * How long a stop waits for etcd to exit after SIGTERM before it kills it. etcd's graceful
 * shutdown waits several seconds for open watch streams to finish; by then it has stopped
 * serving, so a test sees the same outage sooner.
 */
const STOP_GRACE_MS = 1_000;

/**
 * A real etcd (the pinned, Go-built binary from `k8sTool('etcd')`) for tests: one member on
 * 127.0.0.1 with free ports and a temporary data directory. It can be stopped, killed and
 * started again on the same data directory and ports, which is what the fault tests need: a
 * client configured with `clientUrl` sees the same server go away and come back.
 *
 * Every test file starts its own, so parallel jest workers never share revisions or data.
 */
export class EtcdProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    private readonly dataDir: string,
    private readonly clientPort: number,
    private readonly peerPort: number,
    private readonly healthPort: number,
    private readonly options: EtcdProcessOptions,
  ) {}

  /** Starts a fresh etcd and resolves once it reports healthy. */
  static async start(options: EtcdProcessOptions = {}): Promise<EtcdProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'etcd-test-'));
    const [clientPort, peerPort, healthPort] = await freePorts(3);
    const etcd = new EtcdProcess(dataDir, clientPort, peerPort, healthPort, options);
    try {
      await etcd.start();
    } catch (error) {
      await etcd.dispose();
      throw error;
    }
    return etcd;
  }

  /** The URL clients connect to (https when started with TLS files). */
  get clientUrl(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.clientPort}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts etcd (again) on the same data directory and ports; resolves once it is healthy. */
  async start(): Promise<void> {
    if (this.child) throw new Error('etcd is already running');
    const peerUrl = `http://127.0.0.1:${this.peerPort}`;
    const clientUrl = this.clientUrl;
    const tls = this.options.tls;
    const args = [
      '--name=test',
      `--data-dir=${this.dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      // Health is polled over plain HTTP even when clients must use TLS.
      `--listen-metrics-urls=http://127.0.0.1:${this.healthPort}`,
      '--log-level=error',
      // Tests never survive a power loss, so skipping fsync only makes them faster.
      '--unsafe-no-fsync',
      ...(tls
        ? [
            `--cert-file=${tls.certFile}`,
            `--key-file=${tls.keyFile}`,
            `--trusted-ca-file=${tls.caFile}`,
            '--client-cert-auth',
          ]
        : []),
    ];
    this.output = '';
    const child = spawn(k8sTool('etcd'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keepOutput = (chunk: Buffer): void => {
      // The tail is enough to explain a failed start.
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keepOutput);
    child.stderr?.on('data', keepOutput);
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    await this.waitUntilHealthy(child);
  }

  /** Freezes etcd (SIGSTOP): its connections stay open but nothing answers, as when it hangs. */
  async pause(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    child.kill('SIGSTOP');
    // The signal is delivered asynchronously: on a busy machine etcd could still answer a request
    // sent right after kill() returned. Wait until the kernel reports the process stopped.
    while (processState(child.pid) !== 'T') await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Lets a paused etcd run again (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /**
   * Stops etcd (SIGTERM, then SIGKILL after a short grace), keeping its data for a later
   * `start()`.
   */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    // A paused process would only act on SIGTERM once continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(forced);
  }

  /** Kills etcd with SIGKILL, as a crash would; its data stays for a later `start()`. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops etcd and removes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`etcd exited while starting:\n${this.output}`);
      if (await this.healthy()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`etcd did not become healthy within ${STARTUP_TIMEOUT_MS} ms:\n${this.output}`);
  }

  private async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.healthPort}/health`, {
        signal: AbortSignal.timeout(1_000),
      });
      const body = (await response.json()) as { health?: unknown };
      return response.ok && body.health === 'true';
    } catch {
      return false;
    }
  }
}

/** The state letter of /proc/<pid>/stat (R running, S sleeping, T stopped, ...), if readable. */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
