import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestInfo } from './request-info.js';

/**
 * The server's Prometheus metrics, named after kube-apiserver's so existing dashboards and
 * alerts read them unchanged. One registry per server instance, so tests can run several.
 */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, group, version, resource and HTTP response code.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'code'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource'] as const,
    buckets: [
      0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
    ],
    registers: [this.registry],
  });

  readonly inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Maximal number of currently used inflight request limit of this apiserver per request kind.',
    labelNames: ['request_kind'] as const,
    registers: [this.registry],
  });

  readonly watches = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource.',
    labelNames: ['verb', 'group', 'version', 'resource'] as const,
    registers: [this.registry],
  });

  readonly rejected = new Counter({
    name: 'apiserver_dropped_requests_total',
    help: 'Number of requests dropped with a Too Many Requests response, by request kind.',
    labelNames: ['request_kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

/** The request labels of the server's metrics. */
export interface RequestMetricLabels {
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
}

/** What the labels need to know of a served resource. */
export interface ServedResourceNames {
  readonly group: string;
  readonly plural: string;
  readonly versions: readonly { readonly name: string }[];
}

const KNOWN_VERBS = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
]);
const KNOWN_SUBRESOURCES = new Set(['status', 'scale']);

/**
 * The labels a request is counted under. Every label of a metric is a series the registry keeps
 * for the life of the process, so none may take any value a client chooses: a resource the
 * server does not serve is counted without group, version or resource, and a method that is no
 * kube verb (HTTP/2 allows any token) as OTHER, as kube-apiserver counts them.
 */
export function requestMetricLabels(
  info: RequestInfo,
  served: readonly ServedResourceNames[],
): RequestMetricLabels {
  const verb = KNOWN_VERBS.has(info.verb) ? info.verb.toUpperCase() : 'OTHER';
  const known =
    info.isResourceRequest &&
    served.some(
      (r) =>
        r.group === info.apiGroup &&
        r.plural === info.resource &&
        r.versions.some((v) => v.name === info.apiVersion),
    );
  if (!known) return { verb, group: '', version: '', resource: '', subresource: '' };
  return {
    verb,
    group: info.apiGroup,
    version: info.apiVersion,
    resource: info.resource,
    subresource: KNOWN_SUBRESOURCES.has(info.subresource) ? info.subresource : '',
  };
}
