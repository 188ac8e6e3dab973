import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from '../environment/cpu-affinity.js';
import type {
  Job,
  JobRequest,
  JobResponse,
  SeedJob,
  SeedResult,
  ThroughputJob,
  ThroughputResult,
  WatchJob,
  WatchResult,
} from './protocol.js';

/**
 * The load generator as seen from the benchmark: a child process pinned to `cpus`, to which
 * jobs are sent one at a time.
 */
export class LoadGeneratorProcess {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: JobResponse) => void; reject: (e: Error) => void }
  >();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (response: JobResponse) => {
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      waiter?.resolve(response);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`the load generator exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  /** Starts the generator on `cpus` (a taskset list such as "1" or "2-3"; empty: unpinned). */
  static start(cpus: string): LoadGeneratorProcess {
    const script = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
    const [command, ...args] = pinned(cpus, [process.execPath, '--import', 'tsx', script]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new LoadGeneratorProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(job: ThroughputJob): Promise<ThroughputResult>;
  run(job: SeedJob): Promise<SeedResult>;
  run(job: WatchJob): Promise<WatchResult>;
  async run(job: Job): Promise<ThroughputResult | SeedResult | WatchResult> {
    const id = this.nextId++;
    const response = await new Promise<JobResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job } satisfies JobRequest);
    });
    if ('error' in response) throw new Error(`load generator: ${response.error}`);
    return response.result;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
