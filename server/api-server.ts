import { errors } from './api/errors.js';
import { AdmissionChain } from './admission/admission-chain.js';
import type { Authenticator } from './auth/authenticator.js';
import type { Authorizer } from './auth/authorizer.js';
import { DiscoveryHandler } from './discovery/discovery-handler.js';
import {
  chain,
  type Exchange,
  type Handler,
  type ServerRequest,
  type ServerResponseLike,
} from './http/exchange.js';
import type { Auditor } from './audit/auditor.js';
import { withAudit } from './http/filters/with-audit.js';
import { withAuthentication } from './http/filters/with-authentication.js';
import { withAuthorization } from './http/filters/with-authorization.js';
import { withMaxInFlight } from './http/filters/with-max-in-flight.js';
import { withTimeout } from './http/filters/with-timeout.js';
import { HealthEndpoints, type HealthCheck } from './http/health.js';
import { requestMetricLabels, ServerMetrics } from './http/metrics.js';
import { parseRequestInfo } from './http/request-info.js';
import { writeError, writeObject, writeText } from './http/response.js';
import { refuseWritesToReadOnlyEndpoints } from './http/read-only-endpoints.js';
import { RestHandler } from './http/rest-handler.js';
import { WatchHandler } from './http/watch-handler.js';
import { OpenApiHandler } from './openapi/openapi-handler.js';
import { Store } from './registry/store.js';
import type { ResourceDefinition } from '../api/resource-definition.js';
import type { Storage } from '../api/storage.js';

/** A resource and the storage that holds it. */
export interface ServedResource {
  readonly definition: ResourceDefinition;
  readonly storage: Storage;
  /** Prefix of its keys (`/registry` on etcd, as kube-apiserver uses). @default '' */
  readonly keyRoot?: string;
}
import type { Logger } from './util/logger.js';
import { versionInfo } from './version.js';

export interface ApiServerConfig {
  /** The resources to serve, each with the storage that holds it. */
  readonly resources: readonly ServedResource[];
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly log: Logger;
  readonly maxRequestsInFlight: number;
  readonly maxMutatingRequestsInFlight: number;
  readonly requestTimeoutMs: number;
  readonly minRequestTimeoutSeconds: number;
  readonly bookmarkIntervalMs?: number;
  /** The admission plugins every write passes. @default - none */
  readonly admission?: AdmissionChain;
  /** Whether a garbage collector finishes Foreground and Orphan deletes (see StoreOptions). @default true */
  readonly garbageCollector?: boolean;
  /** Extra readiness checks, e.g. that the delegated-auth configuration has been read. */
  readonly readyChecks?: readonly HealthCheck[];
  /** Audits requests as its policy says. @default - no audit */
  readonly auditor?: Auditor;
}

/**
 * The whole API as one request listener: health and metrics, then the filter chain
 * (authentication, audit, authorization, in-flight limits, timeout) in front of discovery, OpenAPI
 * and the generic REST handler. Transport (TLS, HTTP/2, shutdown) lives in secure-server.ts.
 */
export class ApiServer {
  readonly metrics = new ServerMetrics();
  /** One store per served resource: what in-process clients (controllers) use. */
  readonly stores: readonly Store[];
  private readonly handler: Handler;
  private readonly health: HealthEndpoints;
  private readonly inFlight = new Set<Exchange>();
  private shuttingDown = false;

  constructor(private readonly config: ApiServerConfig) {
    // Only served versions exist for the server; the storage version is always served.
    const definitions = config.resources.map(({ definition }) => ({
      ...definition,
      versions: definition.versions.filter((v) => v.served),
    }));
    const stores = config.resources.map(
      ({ storage, keyRoot }, i) =>
        new Store(definitions[i], storage, {
          keyRoot,
          admission: config.admission,
          garbageCollector: config.garbageCollector,
        }),
    );
    this.stores = stores;
    const watches = new WatchHandler(
      {
        minRequestTimeoutSeconds: config.minRequestTimeoutSeconds,
        bookmarkIntervalMs: config.bookmarkIntervalMs ?? 60_000,
      },
      this.metrics,
    );
    const rest = new RestHandler(stores, watches);
    const discovery = new DiscoveryHandler(definitions);
    const openapi = new OpenApiHandler(definitions, versionInfo().gitVersion);
    const route: Handler = async (exchange) => {
      refuseWritesToReadOnlyEndpoints(exchange); // 405 for writes to /version, /metrics, /openapi/*
      const path = exchange.url.pathname;
      if (path === '/version' || path === '/version/') return writeObject(exchange, 200, versionInfo());
      if (path === '/metrics') {
        return writeText(
          exchange,
          200,
          await this.metrics.registry.metrics(),
          this.metrics.registry.contentType,
        );
      }
      if (path.startsWith('/openapi/') && openapi.handle(exchange)) return;
      if (exchange.info.isResourceRequest && (await rest.handle(exchange))) return;
      if (discovery.handle(exchange)) return;
      throw errors.pathNotFound(path);
    };
    this.handler = chain(
      [
        withAuthentication(config.authenticator, config.log, config.auditor),
        ...(config.auditor ? [withAudit(config.auditor)] : []),
        withAuthorization(config.authorizer, config.log),
        withMaxInFlight(config.maxRequestsInFlight, config.maxMutatingRequestsInFlight, this.metrics),
        withTimeout(config.requestTimeoutMs),
      ],
      route,
    );
    const backends = [...new Set(config.resources.map((r) => r.storage))];
    const storageCheck: HealthCheck = {
      name: 'storage',
      check: async () => {
        await Promise.all(backends.map((backend) => backend.checkHealth()));
      },
    };
    const ping: HealthCheck = { name: 'ping', check: async () => undefined };
    const notShuttingDown: HealthCheck = {
      name: 'shutdown',
      check: async () => {
        if (this.shuttingDown) throw new Error('the server is shutting down');
      },
    };
    this.health = new HealthEndpoints({
      livez: [ping],
      healthz: [ping, storageCheck],
      readyz: [ping, storageCheck, notShuttingDown, ...(config.readyChecks ?? [])],
    });
  }

  /** The request listener for an http/http2 server. */
  readonly listener = (req: ServerRequest, res: ServerResponseLike): void => {
    void this.serve(req, res);
  };

  private async serve(req: ServerRequest, res: ServerResponseLike): Promise<void> {
    const started = process.hrtime.bigint();
    const controller = new AbortController();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      url = new URL('https://localhost/');
    }
    const info = parseRequestInfo(req.method ?? 'GET', url);
    const exchange: Exchange = {
      req,
      res,
      url,
      info,
      signal: controller.signal,
      cancel: (reason) => controller.abort(reason),
      warnings: [],
    };
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort('client went away');
    };
    res.on('close', onClose);
    this.inFlight.add(exchange);
    try {
      // Health endpoints answer before authentication: kubelet probes carry no credentials.
      if (!(await this.health.handle(exchange))) await this.handler(exchange);
    } catch (error) {
      writeError(exchange, error, this.config.log);
    } finally {
      this.inFlight.delete(exchange);
      res.off('close', onClose);
      if (!res.writableEnded && !res.headersSent)
        writeError(exchange, errors.internal('no response was written'), this.config.log);
      this.record(exchange, started);
    }
  }

  private record(exchange: Exchange, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { info } = exchange;
    const labels = requestMetricLabels(
      info,
      this.config.resources.map((r) => r.definition),
    );
    this.metrics.requests.inc({ ...labels, code: String(exchange.res.statusCode) });
    if (info.verb !== 'watch') this.metrics.latency.observe(labels, seconds);
    // Checked first so that a quiet server does not build a log record per request.
    if (!this.config.log.enabled(4)) return;
    this.config.log.info(4, 'request', {
      verb: info.verb,
      path: exchange.url.pathname,
      code: exchange.res.statusCode,
      user: exchange.user?.name,
      ms: Math.round(seconds * 1000),
    });
  }

  /** Readiness fails from now on, so load balancers stop sending new requests. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Ends every in-flight request, watches included, cleanly. */
  abortAll(reason: string): void {
    for (const exchange of this.inFlight) exchange.cancel(reason);
  }
}
