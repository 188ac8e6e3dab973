import type { ServedResource } from './served-resource.js';

/** The four things measured: this server on each store, the Go reference, and the ceiling. */
export type TargetId = 'embedded' | 'etcd' | 'sample-apiserver' | 'ceiling';

export const TARGET_TITLES: Readonly<Record<TargetId, string>> = {
  embedded: 'this server, embedded store',
  etcd: 'this server, etcd',
  'sample-apiserver': 'sample-apiserver (Go), etcd',
  ceiling: 'bare Node HTTP/2 (ceiling)',
};

/** How long a (re)started server took, from spawn. */
export interface ReadyTiming {
  /** Until /readyz answered 200. */
  readonly readyMs: number;
  /** Until the first page (limit=500) of a list over all namespaces answered 200. */
  readonly firstPageMs: number;
}

/** One running target. */
export interface Target {
  readonly id: TargetId;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly resource: ServedResource;
  /** Processes whose CPU use is reported with each measurement, by name. */
  readonly observe: Readonly<Record<string, number>>;
  /** The pid of the server process itself (for its resident memory). */
  readonly serverPid: number;
  stop(): Promise<void>;
}
