import { request, type SimpleResponse } from '../test/e2e/support/http.js';
import { USERS, type BenchCluster, type UserId } from './environment/bench-cluster.js';
import type { LoadGeneratorProcess } from './load/load-generator-process.js';
import type { Endpoint, SampleResponse } from './load/protocol.js';
import type { BenchOptions } from './options.js';
import type { Target } from './targets/target.js';
import type { SeedSet } from './workloads.js';

/** Seeding runs wide: 4 connections x 16 streams of creates. */
const SEED_CONCURRENCY = { connections: 4, streams: 16 };

/** What every phase of a run shares. */
export class BenchContext {
  /** One answer per workload, recorded from this server, for the ceiling to answer with. */
  readonly samples = new Map<string, SampleResponse>();
  /** Measurements that failed; the run goes on, reports them, and exits with an error. */
  readonly failures: string[] = [];

  constructor(
    readonly options: BenchOptions,
    readonly cluster: BenchCluster,
    readonly loadGenerator: LoadGeneratorProcess,
  ) {}

  /** How `user` reaches `target`: the front proxy's certificate and that user's headers. */
  endpoint(target: Target, user: UserId): Endpoint {
    return {
      url: target.url,
      caPem: this.cluster.serving.caPem,
      certPem: this.cluster.frontProxy.certPem,
      keyPem: this.cluster.frontProxy.keyPem,
      headers: { 'x-remote-user': USERS[user].name, 'x-remote-group': [...USERS[user].groups] },
    };
  }

  /** One HTTP/1.1 request to `target` as system:masters, outside any measurement. */
  request(target: Target, path: string, method = 'GET', body?: unknown): Promise<SimpleResponse> {
    return request(`${target.url}${path}`, {
      method,
      ca: this.cluster.serving.caPem,
      cert: this.cluster.frontProxy.certPem,
      key: this.cluster.frontProxy.keyPem,
      headers: {
        'X-Remote-User': USERS.admin.name,
        'X-Remote-Group': 'system:masters',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 60_000,
    });
  }

  /** Creates `set`'s objects (from `from` on) in `target`, failing on any error. */
  async seed(target: Target, set: SeedSet, from = 0): Promise<void> {
    const result = await this.loadGenerator.run({
      type: 'seed',
      endpoint: this.endpoint(target, 'admin'),
      collectionPath: target.resource.collectionPath(set.namespace),
      template: target.resource.object('', set.namespace),
      namePrefix: set.namePrefix,
      from,
      count: set.count - from,
      concurrency: SEED_CONCURRENCY,
    });
    if (result.created !== set.count - from) {
      throw new Error(
        `seeding ${set.namespace}/${set.namePrefix}* in ${target.id}: created ${result.created} of ` +
          `${set.count - from} (${result.errors} errors, first: ${result.firstError})`,
      );
    }
    log(
      `seeded ${target.id} ${set.namespace}: ${set.count - from} objects in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(result.created / result.seconds)}/s)`,
    );
  }

  /**
   * Runs one measurement; when it fails, records the failure and resolves with undefined, so
   * that one broken measurement does not lose the others.
   */
  async attempt<T>(what: string, measure: () => Promise<T>): Promise<T | undefined> {
    try {
      return await measure();
    } catch (error) {
      const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
      this.failures.push(message);
      log(`FAILED ${message}`);
      return undefined;
    }
  }

  /** Whether the run includes this workload or phase (`watch`, `memory`). */
  selected(id: string): boolean {
    return this.options.workloads.length === 0 || this.options.workloads.includes(id);
  }
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
