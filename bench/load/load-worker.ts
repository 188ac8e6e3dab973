/**
 * A worker thread of the load generator: it owns some of a job's HTTP/2 connections (those
 * whose index modulo the worker count is its own) and runs their streams.
 */
import { constants, type ClientHttp2Stream } from 'node:http2';
import { parentPort, workerData } from 'node:worker_threads';
import { clockFrom, sleep } from './clock.js';
import { Connection } from './connection.js';
import { describeAnswer } from './http2-client.js';
import type { SeedJob, ThroughputJob, WatchJob } from './protocol.js';
import { requestDriver, type RequestDriver } from './request-driver.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker-messages.js';

const input = workerData as WorkerInput;
/** How often one watch is retried after a 429 before the job fails. */
const MAX_WATCH_ATTEMPTS = 60;
const now = clockFrom(BigInt(input.clockBase));
const port = parentPort;
if (!port) throw new Error('load-worker.ts runs as a worker thread');

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function nextMessage(): Promise<ToWorker> {
  return new Promise((resolve) => port!.once('message', resolve));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The indices of the connections this worker owns. */
function ownConnections(total: number): number[] {
  const own: number[] = [];
  for (let c = input.workerIndex; c < total; c += input.workerCount) own.push(c);
  return own;
}

/** A growable list of doubles, cheaper than a number[] for 100,000s of latencies. */
class Samples {
  private values = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

class Errors {
  count = 0;
  first: string | undefined;
  add(description: string): void {
    this.count += 1;
    this.first ??= description;
  }
}

async function runThroughput(job: ThroughputJob): Promise<void> {
  const { connections: connectionCount, streams } = job.concurrency;
  const own = ownConnections(connectionCount);
  const connections = own.map(() => new Connection(job.endpoint));
  await Promise.all(connections.map((c) => c.open()));
  const loops: { connection: Connection; driver: RequestDriver }[] = [];
  own.forEach((c, i) => {
    for (let s = 0; s < streams; s++)
      loops.push({ connection: connections[i], driver: requestDriver(job.plan, c * streams + s) });
  });
  await Promise.all(loops.map(({ connection, driver }) => driver.prepare((r) => connection.send(r))));
  post({ type: 'ready' });

  const go = await nextMessage();
  if (go.type !== 'go') throw new Error(`unexpected message ${go.type}`);
  const latencies = new Samples();
  const errors = new Errors();
  let bytes = 0;
  await Promise.all(
    loops.map(async ({ connection, driver }) => {
      const send = (r: Parameters<Connection['send']>[0]) => connection.send(r);
      while (now() < go.measureUntil) {
        const request = driver.next();
        const started = now();
        let ok = false;
        let problem: string | undefined;
        try {
          const answer = await connection.send(request);
          ok = driver.check(answer);
          if (!ok) problem = describeAnswer(answer);
          const ended = now();
          if (ended >= go.measureFrom && ended <= go.measureUntil) {
            if (ok) {
              latencies.push(ended - started);
              bytes += answer.bytes;
            } else errors.add(problem ?? 'unexpected answer');
          }
        } catch (error) {
          problem = errorText(error);
          if (now() >= go.measureFrom) errors.add(problem);
        }
        if (!ok) {
          try {
            await driver.recover(send);
          } catch (error) {
            errors.add(errorText(error));
          }
        }
      }
    }),
  );
  let sample: { status: number; contentType: string; body: string } | undefined;
  if (job.keepSample && input.workerIndex === 0 && loops.length > 0) {
    const { connection, driver } = loops[0];
    const answer = await connection.send({ ...driver.next(), keepBody: true });
    if (driver.check(answer))
      sample = { status: answer.status, contentType: answer.contentType, body: answer.body.toString('utf8') };
  }
  for (const connection of connections) connection.close();
  const latenciesMs = latencies.toArray();
  post(
    {
      type: 'throughput-done',
      latenciesMs,
      bytes,
      errors: errors.count,
      firstError: errors.first,
      sample,
    },
    [latenciesMs.buffer as ArrayBuffer],
  );
}

async function runSeed(job: SeedJob): Promise<void> {
  const { connections: connectionCount, streams } = job.concurrency;
  const own = ownConnections(connectionCount);
  const connections = own.map(() => new Connection(job.endpoint));
  await Promise.all(connections.map((c) => c.open()));
  post({ type: 'ready' });
  const go = await nextMessage();
  if (go.type !== 'go') throw new Error(`unexpected message ${go.type}`);
  let next = job.from + input.workerIndex;
  const end = job.from + job.count;
  let created = 0;
  const errors = new Errors();
  await Promise.all(
    connections.flatMap((connection) =>
      Array.from({ length: streams }, async () => {
        while (next < end) {
          const index = next;
          next += input.workerCount;
          const object = structuredClone(job.template);
          (object.metadata as Record<string, unknown>).name = `${job.namePrefix}${index}`;
          try {
            const answer = await connection.send({
              method: 'POST',
              path: job.collectionPath,
              contentType: 'application/json',
              body: JSON.stringify(object),
            });
            if (answer.status === 201) created += 1;
            else errors.add(describeAnswer(answer));
          } catch (error) {
            errors.add(errorText(error));
          }
        }
      }),
    ),
  );
  for (const connection of connections) connection.close();
  post({ type: 'seed-done', created, errors: errors.count, firstError: errors.first });
}

/** Watch events are JSON lines; each is timed when its line is complete. */
async function runWatch(job: WatchJob): Promise<void> {
  const connectionCount = Math.ceil(job.watchers / job.watchersPerConnection);
  const own = ownConnections(connectionCount);
  const delivered = new Int32Array(input.deliveries!);
  const deliveries = new Samples();
  const errors = new Errors();
  const connections = own.map(() => new Connection(job.endpoint));
  const streams: ClientHttp2Stream[] = [];
  const separator = job.collectionPath.includes('?') ? '&' : '?';
  const path =
    `${job.collectionPath}${separator}watch=true&allowWatchBookmarks=false&timeoutSeconds=3600` +
    `&resourceVersion=${encodeURIComponent(input.resourceVersion ?? '')}`;
  let finishing = false;

  let throttled = 0;
  /**
   * Opens one watch. A 429 (sample-apiserver's priority and fairness rejects a burst of 1000
   * watches from one user) is retried after its Retry-After, with jitter, as client-go does.
   */
  const openWatch = async (connection: Connection): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const session = await connection.current();
      const stream = session.request({
        ...(job.endpoint.headers as Record<string, string | string[]>),
        [constants.HTTP2_HEADER_METHOD]: 'GET',
        [constants.HTTP2_HEADER_PATH]: path,
        accept: 'application/json',
      });
      let live = false;
      stream.on('error', (error) => {
        if (live && !finishing) errors.add(`watch stream: ${errorText(error)}`);
      });
      const { status, retryAfter } = await new Promise<{ status: number; retryAfter: number }>(
        (resolve, reject) => {
          stream.once('response', (headers) =>
            resolve({
              status: Number(headers[constants.HTTP2_HEADER_STATUS]),
              retryAfter: Number(headers['retry-after']) || 1,
            }),
          );
          stream.once('error', reject);
          stream.once('close', () => reject(new Error('the watch was closed before it was answered')));
        },
      );
      if (status === 200) {
        live = true;
        streams.push(stream);
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const arrived = now();
          pending += chunk;
          let newline: number;
          while ((newline = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            if (line.trim()) record(line, arrived);
          }
        });
        stream.on('close', () => {
          if (!finishing) errors.add('a watch ended before the benchmark did');
        });
        return;
      }
      stream.close(constants.NGHTTP2_CANCEL);
      if (status !== 429 || attempt >= MAX_WATCH_ATTEMPTS) throw new Error(`watch answered HTTP ${status}`);
      throttled += 1;
      await sleep(retryAfter * 1000 * (1 + Math.random()));
    }
  };

  /**
   * Lines are only timed and counted as they arrive, and parsed once the watch is over: parsing
   * a thousand events as they come would make the load generator's own work the tail of the
   * delivery latency it measures.
   */
  const arrivedLines: string[] = [];
  const arrivals: number[] = [];
  const record = (line: string, arrived: number): void => {
    arrivedLines.push(line);
    arrivals.push(arrived);
    Atomics.add(delivered, 0, 1);
  };
  const check = (line: string, arrived: number): void => {
    let event: { type?: string; object?: { metadata?: { name?: string } } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      errors.add(`not a JSON watch event: ${line.slice(0, 200)}`);
      return;
    }
    if (event.type === 'BOOKMARK') return;
    const name = event.object?.metadata?.name ?? '';
    if (event.type !== 'ADDED' || !name.startsWith(job.namePrefix)) {
      errors.add(`unexpected watch event ${event.type} ${name}`);
      return;
    }
    deliveries.push(Number(name.slice(job.namePrefix.length)));
    deliveries.push(arrived);
  };

  try {
    await Promise.all(
      own.map(async (c, i) => {
        const first = c * job.watchersPerConnection;
        const count = Math.min(job.watchersPerConnection, job.watchers - first);
        await connections[i].open();
        await Promise.all(Array.from({ length: count }, () => openWatch(connections[i])));
      }),
    );
  } catch (error) {
    post({ type: 'failed', error: `could not open the watches: ${errorText(error)}` });
    return;
  }
  post({ type: 'ready' });
  const finish = await nextMessage();
  if (finish.type !== 'finish') throw new Error(`unexpected message ${finish.type}`);
  finishing = true;
  for (const stream of streams) stream.close(constants.NGHTTP2_CANCEL);
  for (const connection of connections) connection.close();
  arrivedLines.forEach((line, i) => check(line, arrivals[i]));
  const pairs = deliveries.toArray();
  post({ type: 'watch-done', deliveries: pairs, throttled, errors: errors.count, firstError: errors.first }, [
    pairs.buffer as ArrayBuffer,
  ]);
}

const runs = { throughput: runThroughput, seed: runSeed, watch: runWatch } as const;
const job = input.job;
(runs[job.type] as (j: typeof job) => Promise<void>)(job).catch((error: unknown) =>
  post({ type: 'failed', error: errorText(error) }),
);
