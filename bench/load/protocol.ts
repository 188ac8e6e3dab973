/**
 * What the benchmark's orchestrator asks of the load generator, and what it gets back. Every
 * type here crosses a process boundary (IPC) and a thread boundary (worker messages), so it is
 * plain data: no functions, no classes.
 */

/** A JSON object as it is sent to a server (a Kubernetes object, a patch). */
export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** How to reach one server: TLS, HTTP/2, a client certificate and identity headers. */
export interface Endpoint {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** The CA the server's certificate chains to. */
  readonly caPem: string;
  /** The client certificate of every connection (the front proxy's, as the aggregator's). */
  readonly certPem: string;
  readonly keyPem: string;
  /** Sent with every request: X-Remote-User, X-Remote-Group (one field per group). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

/** How many HTTP/2 connections, and how many concurrent streams on each. */
export interface Concurrency {
  readonly connections: number;
  readonly streams: number;
}

/**
 * One kind of request, repeated by every stream in a closed loop (the next request leaves
 * when the previous one has been answered in full).
 *
 * - `get`: the same GET (an object or a whole list) again and again.
 * - `paged`: a list read page by page (`limit`, then `continue` until the server gives none,
 *   or `maxPages` pages); each page is one request.
 * - `create`: POST of the same body, which has a `generateName`.
 * - `update`: PUT of the stream's own object with the resourceVersion of its last answer (so
 *   it never conflicts) and a changed label; the first resourceVersion comes from a GET.
 * - `merge-patch` / `apply`: PATCH of the stream's own object changing one label, as a JSON
 *   merge patch or as a server-side apply (force, field manager `bench`) of the whole object.
 *
 * Update and patch streams own the objects `<itemsPath>/<namePrefix><i>`, i being the
 * stream's index over the whole job; they must exist before the job starts.
 */
export type RequestPlan =
  | { readonly kind: 'get'; readonly path: string; readonly accept?: string }
  | {
      readonly kind: 'paged';
      readonly path: string;
      readonly limit: number;
      readonly maxPages: number;
      readonly accept?: string;
    }
  | { readonly kind: 'create'; readonly path: string; readonly body: JsonObject }
  | {
      readonly kind: 'update' | 'merge-patch' | 'apply';
      readonly itemsPath: string;
      readonly namePrefix: string;
      /** The whole object (update, apply); its metadata.name is replaced by the stream's. */
      readonly template: JsonObject;
    };

/** Run `plan` for warmupMs, then count and time it for durationMs. */
export interface ThroughputJob {
  readonly type: 'throughput';
  readonly endpoint: Endpoint;
  readonly plan: RequestPlan;
  readonly concurrency: Concurrency;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Return one complete response body (for the ceiling server to answer with). */
  readonly keepSample: boolean;
  /** Processes whose CPU use over the measured window is reported, by name. */
  readonly observe: Readonly<Record<string, number>>;
}

/** Creates objects `<namePrefix><from>` .. `<namePrefix><from + count - 1>` as fast as possible. */
export interface SeedJob {
  readonly type: 'seed';
  readonly endpoint: Endpoint;
  readonly collectionPath: string;
  /** Its metadata.name is replaced by each object's. */
  readonly template: JsonObject;
  readonly namePrefix: string;
  readonly from: number;
  readonly count: number;
  readonly concurrency: Concurrency;
}

/**
 * Opens `watchers` watches on a collection, then `rounds` times creates `events` objects one
 * after the other (`intervalMs` apart) and times each event's arrival at every watcher, from
 * the acknowledgement of the write that caused it (and from the moment it was sent).
 */
export interface WatchJob {
  readonly type: 'watch';
  readonly endpoint: Endpoint;
  readonly collectionPath: string;
  readonly template: JsonObject;
  readonly namePrefix: string;
  readonly watchers: number;
  /** Watch streams per HTTP/2 connection. */
  readonly watchersPerConnection: number;
  readonly rounds: number;
  readonly events: number;
  readonly intervalMs: number;
  /** How long a round waits for every delivery before it reports the missing ones. */
  readonly deliveryTimeoutMs: number;
  readonly observe: Readonly<Record<string, number>>;
}

export type Job = ThroughputJob | SeedJob | WatchJob;

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** CPU used over the measured window, in cores (1 = one core busy all the time), by process. */
export type CpuUse = Readonly<Record<string, number>>;

export interface ThroughputResult {
  readonly type: 'throughput';
  /** Requests answered with the expected status inside the measured window. */
  readonly requests: number;
  readonly seconds: number;
  readonly throughput: number;
  readonly latencyMs: Percentiles;
  /** Answers with another status, and transport errors. */
  readonly errors: number;
  readonly firstError?: string;
  /** Mean response body size, in bytes. */
  readonly bytesPerResponse: number;
  readonly cpu: CpuUse;
  /** The load generator's own CPU use, and the cores it may run on. */
  readonly loadGenerator: { readonly cores: number; readonly availableCores: number };
  readonly sample?: SampleResponse;
}

/** One complete answer, as the server sent it. */
export interface SampleResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface SeedResult {
  readonly type: 'seed';
  readonly created: number;
  readonly seconds: number;
  readonly errors: number;
  readonly firstError?: string;
}

export interface WatchRoundResult {
  readonly deliveries: number;
  readonly expected: number;
  /** Delivery latency from the write's acknowledgement (negative: delivered before the ack). */
  readonly fromAckMs: Percentiles;
  /** Delivery latency from the moment the write was sent. */
  readonly fromSendMs: Percentiles;
  /** Write latency of the events' creates. */
  readonly writeMs: Percentiles;
}

export interface WatchResult {
  readonly type: 'watch';
  readonly rounds: readonly WatchRoundResult[];
  /** Watch opens answered 429 Too Many Requests and retried after their Retry-After. */
  readonly throttled: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly cpu: CpuUse;
  readonly loadGenerator: { readonly cores: number; readonly availableCores: number };
}

export type JobResult = ThroughputResult | SeedResult | WatchResult;

/** Orchestrator -> load generator (IPC). */
export interface JobRequest {
  readonly id: number;
  readonly job: Job;
}

/** Load generator -> orchestrator (IPC). */
export type JobResponse =
  { readonly id: number; readonly result: JobResult } | { readonly id: number; readonly error: string };
