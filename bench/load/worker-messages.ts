import type { Job } from './protocol.js';

/** What a worker thread is started with. */
export interface WorkerInput {
  readonly job: Job;
  readonly workerIndex: number;
  readonly workerCount: number;
  /** process.hrtime.bigint() of the main thread, as a decimal string: the clock's zero. */
  readonly clockBase: string;
  /** Watch jobs: the resourceVersion to watch from. */
  readonly resourceVersion?: string;
  /** Watch jobs: an Int32Array[1] counting deliveries across every worker. */
  readonly deliveries?: SharedArrayBuffer;
}

/** Main thread -> worker. */
export type ToWorker =
  /** Throughput: run until measureUntil, counting answers that complete after measureFrom. */
  | { readonly type: 'go'; readonly measureFrom: number; readonly measureUntil: number }
  /** Watch: close the watches and report the deliveries. */
  | { readonly type: 'finish' };

/** Worker -> main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'throughput-done';
      readonly latenciesMs: Float64Array;
      readonly bytes: number;
      readonly errors: number;
      readonly firstError?: string;
      readonly sample?: { status: number; contentType: string; body: string };
    }
  | {
      readonly type: 'seed-done';
      readonly created: number;
      readonly errors: number;
      readonly firstError?: string;
    }
  | {
      readonly type: 'watch-done';
      /** Pairs (event index, arrival time in ms on the shared clock). */
      readonly deliveries: Float64Array;
      /** Watch opens answered 429 and retried. */
      readonly throttled: number;
      readonly errors: number;
      readonly firstError?: string;
    };
