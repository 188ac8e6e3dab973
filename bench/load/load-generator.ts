/**
 * The load generator: a child process of the benchmark (started pinned to its own cores with
 * taskset, see load-generator-process.ts) that runs one job at a time, sent over IPC, on
 * worker threads, and answers with the measurements and its own CPU use.
 *
 * One generator serves every target (this server, sample-apiserver, the bare Node ceiling), so
 * each sees exactly the same client.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { clockFrom, sleep } from './clock.js';
import { Connection } from './connection.js';
import { describeAnswer } from './http2-client.js';
import type {
  JobRequest,
  JobResponse,
  JobResult,
  SeedJob,
  ThroughputJob,
  WatchJob,
  WatchRoundResult,
} from './protocol.js';
import { percentiles } from './statistics.js';
import { CpuMeter } from '../environment/process-stats.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-messages.js';

const clockBase = process.hrtime.bigint();
const now = clockFrom(clockBase);
/** One worker thread per core the generator may run on, unless BENCH_CLIENT_THREADS says otherwise. */
const cores = availableParallelism();
const workerCount = Number(process.env.BENCH_CLIENT_THREADS) || cores;
const runningTypeScript = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./load-worker${runningTypeScript ? '.ts' : '.js'}`, import.meta.url);

/**
 * Node 20 does not give worker threads the module hooks that `--import tsx` registered in the
 * main thread, so a TypeScript worker is loaded through tsx's own import.
 */
function newWorker(workerData: WorkerInput): Worker {
  if (!runningTypeScript) return new Worker(workerUrl, { workerData });
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code =
    `import(${api}).then(({ tsImport }) => ` +
    `tsImport(${JSON.stringify(workerUrl.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(code, { eval: true, workerData });
}

/** A started worker and the messages it sent that nobody has waited for yet. */
class WorkerHandle {
  private readonly worker: Worker;
  private readonly inbox: FromWorker[] = [];
  private waiting: ((message: FromWorker) => void) | undefined;
  private failure: Error | undefined;

  constructor(data: WorkerInput) {
    this.worker = newWorker(data);
    this.worker.on('message', (message: FromWorker) => this.deliver(message));
    this.worker.on('error', (error) => {
      this.failure = error;
      this.deliver({ type: 'failed', error: error.message });
    });
  }

  private deliver(message: FromWorker): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(message);
    } else this.inbox.push(message);
  }

  /** The next message; a `failed` message rejects. */
  async receive(): Promise<FromWorker> {
    const message =
      this.inbox.shift() ?? (await new Promise<FromWorker>((resolve) => (this.waiting = resolve)));
    if (message.type === 'failed') throw this.failure ?? new Error(message.error);
    return message;
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

function startWorkers(count: number, data: Omit<WorkerInput, 'workerIndex' | 'workerCount'>): WorkerHandle[] {
  return Array.from(
    { length: count },
    (_, workerIndex) => new WorkerHandle({ ...data, workerIndex, workerCount: count }),
  );
}

async function all<T extends FromWorker['type']>(
  workers: readonly WorkerHandle[],
  type: T,
): Promise<Extract<FromWorker, { type: T }>[]> {
  return Promise.all(
    workers.map(async (worker) => {
      const message = await worker.receive();
      if (message.type !== type) throw new Error(`expected ${type} from a worker, got ${message.type}`);
      return message as Extract<FromWorker, { type: T }>;
    }),
  );
}

async function runThroughput(job: ThroughputJob): Promise<JobResult> {
  const count = Math.min(workerCount, job.concurrency.connections);
  const workers = startWorkers(count, { job, clockBase: String(clockBase) });
  try {
    await all(workers, 'ready');
    const measureFrom = now() + 20 + job.warmupMs;
    const measureUntil = measureFrom + job.durationMs;
    for (const worker of workers) worker.send({ type: 'go', measureFrom, measureUntil });
    await sleep(measureFrom - now());
    const meter = new CpuMeter(job.observe);
    await sleep(measureUntil - now());
    const cpu = meter.read();
    const done = await all(workers, 'throughput-done');
    const latencies = Float64Array.from(done.flatMap((d) => Array.from(d.latenciesMs)));
    const requests = latencies.length;
    const seconds = job.durationMs / 1000;
    const bytes = done.reduce((sum, d) => sum + d.bytes, 0);
    return {
      type: 'throughput',
      requests,
      seconds,
      throughput: requests / seconds,
      latencyMs: percentiles(latencies),
      errors: done.reduce((sum, d) => sum + d.errors, 0),
      firstError: done.find((d) => d.firstError)?.firstError,
      bytesPerResponse: requests ? bytes / requests : 0,
      cpu: cpu.observed,
      loadGenerator: { cores: cpu.self, availableCores: cores },
      sample: done.find((d) => d.sample)?.sample,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function runSeed(job: SeedJob): Promise<JobResult> {
  const count = Math.min(workerCount, job.concurrency.connections);
  const workers = startWorkers(count, { job, clockBase: String(clockBase) });
  try {
    await all(workers, 'ready');
    const started = now();
    for (const worker of workers) worker.send({ type: 'go', measureFrom: 0, measureUntil: 0 });
    const done = await all(workers, 'seed-done');
    return {
      type: 'seed',
      created: done.reduce((sum, d) => sum + d.created, 0),
      seconds: (now() - started) / 1000,
      errors: done.reduce((sum, d) => sum + d.errors, 0),
      firstError: done.find((d) => d.firstError)?.firstError,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function runWatch(job: WatchJob): Promise<JobResult> {
  const writer = new Connection(job.endpoint);
  const separator = job.collectionPath.includes('?') ? '&' : '?';
  const list = await writer.send({
    method: 'GET',
    path: `${job.collectionPath}${separator}limit=1`,
    keepBody: true,
  });
  if (list.status !== 200) throw new Error(`cannot list ${job.collectionPath}: ${describeAnswer(list)}`);
  const resourceVersion = (
    JSON.parse(list.body.toString('utf8')) as { metadata?: { resourceVersion?: string } }
  ).metadata?.resourceVersion;
  const deliveriesBuffer = new SharedArrayBuffer(4);
  const delivered = new Int32Array(deliveriesBuffer);
  const connections = Math.ceil(job.watchers / job.watchersPerConnection);
  const workers = startWorkers(Math.min(workerCount, connections), {
    job,
    clockBase: String(clockBase),
    resourceVersion,
    deliveries: deliveriesBuffer,
  });
  const total = job.rounds * job.events;
  const sentAt = new Float64Array(total);
  const ackedAt = new Float64Array(total);
  let errors = 0;
  let firstError: string | undefined;
  try {
    await all(workers, 'ready');
    // Let every watch settle into the server's fan-out before the first write.
    await sleep(500);
    const meter = new CpuMeter(job.observe);
    const writeLatencies: number[][] = [];
    for (let round = 0; round < job.rounds; round++) {
      const writes: number[] = [];
      for (let e = 0; e < job.events; e++) {
        const index = round * job.events + e;
        const object = structuredClone(job.template);
        (object.metadata as Record<string, unknown>).name = `${job.namePrefix}${index}`;
        sentAt[index] = now();
        const answer = await writer.send({
          method: 'POST',
          path: job.collectionPath,
          contentType: 'application/json',
          body: JSON.stringify(object),
        });
        ackedAt[index] = now();
        writes.push(ackedAt[index] - sentAt[index]);
        if (answer.status !== 201) {
          errors += 1;
          firstError ??= describeAnswer(answer);
        }
        await sleep(job.intervalMs);
      }
      writeLatencies.push(writes);
      const expected = job.watchers * job.events * (round + 1);
      const deadline = now() + job.deliveryTimeoutMs;
      while (Atomics.load(delivered, 0) < expected && now() < deadline) await sleep(5);
    }
    const cpu = meter.read();
    for (const worker of workers) worker.send({ type: 'finish' });
    const done = await all(workers, 'watch-done');
    const fromAck: number[][] = Array.from({ length: job.rounds }, () => []);
    const fromSend: number[][] = Array.from({ length: job.rounds }, () => []);
    for (const worker of done) {
      errors += worker.errors;
      firstError ??= worker.firstError;
      const pairs = worker.deliveries;
      for (let i = 0; i < pairs.length; i += 2) {
        const index = pairs[i];
        if (!(index >= 0 && index < total)) continue;
        const round = Math.floor(index / job.events);
        fromAck[round].push(pairs[i + 1] - ackedAt[index]);
        fromSend[round].push(pairs[i + 1] - sentAt[index]);
      }
    }
    const rounds: WatchRoundResult[] = fromAck.map((latencies, round) => ({
      deliveries: latencies.length,
      expected: job.watchers * job.events,
      fromAckMs: percentiles(latencies),
      fromSendMs: percentiles(fromSend[round]),
      writeMs: percentiles(writeLatencies[round]),
    }));
    return {
      type: 'watch',
      rounds,
      throttled: done.reduce((sum, d) => sum + d.throttled, 0),
      errors,
      firstError,
      cpu: cpu.observed,
      loadGenerator: { cores: cpu.self, availableCores: cores },
    };
  } finally {
    writer.close();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function run(request: JobRequest): Promise<JobResponse> {
  try {
    const job = request.job;
    const result =
      job.type === 'throughput'
        ? await runThroughput(job)
        : job.type === 'seed'
          ? await runSeed(job)
          : await runWatch(job);
    return { id: request.id, result };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

if (!process.send) throw new Error('load-generator.ts runs as a child process with an IPC channel');
// One job at a time, in the order they were sent.
let queue = Promise.resolve();
process.on('message', (request: JobRequest) => {
  queue = queue.then(async () => {
    process.send!(await run(request));
  });
});
process.on('disconnect', () => process.exit(0));
