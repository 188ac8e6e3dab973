import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Etcd3, type IOptions } from 'etcd3';
import { neverReachedEtcd } from './etcd-errors.js';

/** How to reach etcd: the server's `--etcd-servers` and `--etcd-cafile/certfile/keyfile`. */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. `https://etcd-0.etcd:2379`; `http://` only without TLS files. */
  readonly endpoints: readonly string[];
  /** CA bundle that signed etcd's serving certificate; enables TLS. */
  readonly caFile?: string;
  /** Client certificate for etcd's `--client-cert-auth`; needs `keyFile`. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * Opens an etcd client tuned to fail fast and recover by itself:
 *
 * - No automatic retries of calls that may have reached etcd, and no circuit breaker. The
 *   client library's defaults retry any "recoverable" failure three times, which can apply a
 *   write twice (a create retried after its response was lost reports KeyExists for an object
 *   it created), and open a circuit for 5 s after three failures, which keeps a server failing
 *   for seconds after etcd is back. A call that certainly never left this process is tried on
 *   the next endpoint, which is the failover several endpoints are for.
 * - Reconnection backoff capped at one second, so a restarted etcd is used again at once rather
 *   than after grpc's default of up to two minutes.
 * - HTTP/2 keepalive pings while calls are open, so a watch on an etcd that hangs (rather than
 *   closing its connections) notices within seconds. etcd refuses pings more often than every
 *   5 s by default (`--grpc-keepalive-min-time`).
 * - No limit on received message size: a list of a large collection may well exceed grpc's
 *   default of 4 MiB (kube-apiserver lifts it too).
 *
 * Deadlines are per call (see EtcdStorage); streams have none.
 */
export function connectToEtcd(options: EtcdConnectionOptions): Etcd3 {
  if (options.endpoints.length === 0) throw new Error('etcd storage: at least one endpoint is required');
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new Error('etcd storage: a client certificate needs its key, and a key its certificate');
  }
  const tls = options.caFile !== undefined || options.certFile !== undefined;
  const hosts = options.endpoints.map((endpoint) => withScheme(endpoint, tls));
  const attemptOnEachEndpoint = retryWhenNeverSent(hosts.length);
  return new Etcd3({
    hosts,
    ...(tls
      ? {
          credentials: {
            // Without a CA file, etcd's certificate must chain to a well-known root.
            rootCertificate:
              options.caFile !== undefined
                ? readFileSync(options.caFile)
                : Buffer.from(rootCertificates.join('\n')),
            ...(options.certFile !== undefined && options.keyFile !== undefined
              ? { certChain: readFileSync(options.certFile), privateKey: readFileSync(options.keyFile) }
              : {}),
          },
        }
      : {}),
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.max_receive_message_length': -1,
    },
    faultHandling: { global: attemptOnEachEndpoint, host: () => runOnce },
  });
}

/** `host:port` gets the scheme the TLS settings call for; an explicit scheme is kept. */
function withScheme(endpoint: string, tls: boolean): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint;
  return `${tls ? 'https' : 'http'}://${endpoint}`;
}

/** The policy shape the client expects, for policies that have nothing to report. */
function policy(execute: FaultPolicy['execute']): FaultPolicy {
  const noListeners = () => ({ dispose: () => undefined });
  return {
    // A type-level marker of the policy library; never read.
    _altReturn: undefined as never,
    onSuccess: noListeners,
    onFailure: noListeners,
    execute,
  };
}

/** Runs a call once, whatever happens. */
const runOnce = policy(async (call, signal) => call({ signal: signal ?? new AbortController().signal }));

/**
 * Runs a call, trying it again (the client moves on to the next endpoint) while it fails
 * without having reached etcd, at most once per endpoint.
 */
function retryWhenNeverSent(endpoints: number): FaultPolicy {
  return policy(async (call, signal) => {
    const context = { signal: signal ?? new AbortController().signal };
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(context);
      } catch (error) {
        if (attempt >= endpoints || !neverReachedEtcd(error)) throw error;
      }
    }
  });
}
