import type { Concurrency, JsonObject, RequestPlan } from './load/protocol.js';
import type { ServedResource } from './targets/served-resource.js';

/** The namespaces the workloads use (created in kube-apiserver, which both servers check). */
export const NAMESPACES = {
  get: 'bench-get',
  listSmall: 'bench-list-small',
  listLarge: 'bench-list-large',
  create: 'bench-create',
  writes: 'bench-writes',
  watch: 'bench-watch',
  memory: 'bench-memory',
} as const;

/** What kubectl get sends: a Table (v1, then v1beta1), else the plain list. */
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** The sizes a run uses (the full run: the sizes; --small: a CI-sized run). */
export interface WorkloadSizes {
  /** The two collections listed: 1,000 and 10,000 objects. */
  readonly listSmall: number;
  readonly listLarge: number;
  /** Page size of the paged lists (kubectl's 500). */
  readonly pageSize: number;
}

/** Objects a workload needs before it runs: `<namePrefix>0` .. `<namePrefix><count - 1>`. */
export interface SeedSet {
  readonly namespace: string;
  readonly namePrefix: string;
  readonly count: number;
}

/** A closed-loop workload, measured as throughput and latency. */
export interface ThroughputWorkload {
  readonly id: string;
  readonly title: string;
  readonly kind: 'read' | 'write';
  readonly concurrency: Concurrency;
  /** Objects in each answer (lists), to report objects per second too. */
  readonly itemsPerRequest: number;
  readonly seeds: readonly SeedSet[];
  plan(resource: ServedResource): RequestPlan;
}

/** Reads run on 4 connections x 16 streams, lists on 2 x 4, writes on 2 x 8. */
const READ: Concurrency = { connections: 4, streams: 16 };
const LIST: Concurrency = { connections: 2, streams: 4 };
const WRITE: Concurrency = { connections: 2, streams: 8 };

const count = (n: number): string => n.toLocaleString('en-US');
const GET_OBJECT: SeedSet = { namespace: NAMESPACES.get, namePrefix: 'object-', count: 1 };

function listWorkloads(size: number, namespace: string, pageSize: number): ThroughputWorkload[] {
  const seeds = [{ namespace, namePrefix: 'item-', count: size }];
  const pages = Math.ceil(size / pageSize);
  const variants = [
    { suffix: 'json', format: 'JSON', accept: undefined },
    { suffix: 'table', format: 'Table', accept: TABLE_ACCEPT },
  ];
  return variants.flatMap(({ suffix, format, accept }) => [
    {
      id: `list-${size}-${suffix}`,
      title: `LIST ${count(size)}, ${format}`,
      kind: 'read' as const,
      concurrency: LIST,
      itemsPerRequest: size,
      seeds,
      plan: (resource: ServedResource): RequestPlan => ({
        kind: 'get',
        path: resource.collectionPath(namespace),
        accept,
      }),
    },
    {
      id: `list-${size}-paged-${suffix}`,
      title: `LIST ${count(size)} by ${count(pageSize)}, ${format}`,
      kind: 'read' as const,
      concurrency: LIST,
      itemsPerRequest: Math.min(size, pageSize),
      seeds,
      plan: (resource: ServedResource): RequestPlan => ({
        kind: 'paged',
        path: resource.collectionPath(namespace),
        limit: pageSize,
        maxPages: pages,
        accept,
      }),
    },
  ]);
}

/** Every throughput workload, in report order. */
export function throughputWorkloads(sizes: WorkloadSizes): ThroughputWorkload[] {
  const streams = WRITE.connections * WRITE.streams;
  const owned = (namePrefix: string): SeedSet => ({
    namespace: NAMESPACES.writes,
    namePrefix,
    count: streams,
  });
  const itemsPath = (resource: ServedResource): string => resource.collectionPath(NAMESPACES.writes);
  return [
    {
      id: 'get',
      title: 'GET one object',
      kind: 'read',
      concurrency: READ,
      itemsPerRequest: 1,
      seeds: [GET_OBJECT],
      plan: (resource) => ({ kind: 'get', path: `${resource.collectionPath(NAMESPACES.get)}/object-0` }),
    },
    {
      id: 'get-rv0',
      title: 'GET one object, resourceVersion=0',
      kind: 'read',
      concurrency: READ,
      itemsPerRequest: 1,
      seeds: [GET_OBJECT],
      plan: (resource) => ({
        kind: 'get',
        path: `${resource.collectionPath(NAMESPACES.get)}/object-0?resourceVersion=0`,
      }),
    },
    ...listWorkloads(sizes.listSmall, NAMESPACES.listSmall, sizes.pageSize),
    ...listWorkloads(sizes.listLarge, NAMESPACES.listLarge, sizes.pageSize),
    {
      id: 'create',
      title: 'CREATE (generateName)',
      kind: 'write',
      concurrency: WRITE,
      itemsPerRequest: 1,
      seeds: [],
      plan: (resource) => {
        const body = resource.object('', NAMESPACES.create);
        const metadata: JsonObject = { ...(body.metadata as JsonObject), generateName: 'created-' };
        delete metadata.name;
        return {
          kind: 'create',
          path: resource.collectionPath(NAMESPACES.create),
          body: { ...body, metadata },
        };
      },
    },
    {
      id: 'update',
      title: 'UPDATE (PUT with resourceVersion)',
      kind: 'write',
      concurrency: WRITE,
      itemsPerRequest: 1,
      seeds: [owned('update-')],
      plan: (resource) => ({
        kind: 'update',
        itemsPath: itemsPath(resource),
        namePrefix: 'update-',
        template: resource.object('', NAMESPACES.writes),
      }),
    },
    {
      id: 'patch-merge',
      title: 'PATCH, JSON merge patch',
      kind: 'write',
      concurrency: WRITE,
      itemsPerRequest: 1,
      seeds: [owned('merge-')],
      plan: (resource) => ({
        kind: 'merge-patch',
        itemsPath: itemsPath(resource),
        namePrefix: 'merge-',
        template: resource.object('', NAMESPACES.writes),
      }),
    },
    {
      id: 'patch-apply',
      title: 'PATCH, server-side apply',
      kind: 'write',
      concurrency: WRITE,
      itemsPerRequest: 1,
      seeds: [owned('apply-')],
      plan: (resource) => ({
        kind: 'apply',
        itemsPath: itemsPath(resource),
        namePrefix: 'apply-',
        template: resource.object('', NAMESPACES.writes),
      }),
    },
  ];
}
