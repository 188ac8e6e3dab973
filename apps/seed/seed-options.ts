import { isIP } from 'node:net';
import type { AggregatedApiServerOptions, ExternalServerOptions } from '../../lib/core/index.js';

/**
 * The seed system both example programs deploy (apps/cdk8s and apps/pulumi): the MetricSnapshot
 * API (metrics.example.com, served as v1 and v1beta1) in namespace `custom-apiserver`, two
 * replicas backed by a dedicated three-member etcd, with each tool's default serving certificate
 * (cdk8s: self-managed by the server; Pulumi: generated into the stack state); or a server
 * outside the cluster.
 */

/** The serving certificate modes the seed programs offer. */
export type SeedTlsMode = 'self-managed' | 'generated';

/** What the environment may change in the seed deployment (see seedOptionsFromEnv). */
export interface SeedOptions {
  /** Serve from a process outside the cluster instead of a Deployment. @default - in-cluster */
  readonly external?: ExternalServerOptions;
  /** Key store directory of the certificate generated at synth time (cdk8s only). @default - the construct's default */
  readonly keyStoreDir?: string;
  /** Server image. @default - the construct's default (aggregated-apiserver:<version>) */
  readonly image?: string;
  /** Extra SANs (DNS names or IP addresses) for the serving certificate. @default [] */
  readonly extraSans?: readonly string[];
  /** How the serving certificate is made. @default - the tool's default */
  readonly tlsMode?: SeedTlsMode;
}

/**
 * The framework-neutral options of the seed deployment; each program adds only what is its own.
 *
 * @param defaultTlsMode the program's default serving certificate mode
 */
export function seedServerOptions(
  options: SeedOptions = {},
  defaultTlsMode: SeedTlsMode = 'self-managed',
): AggregatedApiServerOptions & {
  readonly tls: {
    readonly mode: SeedTlsMode;
    readonly additionalDnsNames: string[];
    readonly additionalIpAddresses: string[];
  };
} {
  const extraSans = [...(options.extraSans ?? [])];
  // The aggregator dials the external address; a client of the local server may too.
  if (options.external) extraSans.push(options.external.address);
  const isIp = (s: string): boolean => isIP(s) !== 0;
  return {
    name: 'custom-apiserver',
    namespace: 'custom-apiserver',
    resources: [
      {
        group: 'metrics.example.com',
        versions: ['v1', 'v1beta1'],
        kind: 'MetricSnapshot',
        plural: 'metricsnapshots',
        subresources: ['status'],
      },
    ],
    image: options.image,
    tls: {
      mode: options.tlsMode ?? defaultTlsMode,
      additionalDnsNames: [...new Set(extraSans.filter((s) => !isIp(s)))],
      additionalIpAddresses: [...new Set(extraSans.filter(isIp))],
    },
    ...(options.external
      ? { external: options.external }
      : { replicas: 2, storage: { type: 'dedicated-etcd', members: 3 } }),
  };
}

/**
 * Reads the seed deployment's options from the environment:
 * - AGGREGATED_APISERVER_EXTERNAL_ADDRESS=<host-or-ip>:<port> renders the external mode (no
 *   Deployment, no etcd): an IP address gets a selector-less Service plus an EndpointSlice,
 *   a DNS name an ExternalName Service. A loopback address (127.0.0.1:6443, [::1]:6443), which
 *   Kubernetes refuses in an EndpointSlice, becomes an ExternalName Service `localhost`.
 * - AGGREGATED_APISERVER_PKI_DIR=<dir> keeps the generated CA and serving key there (a local
 *   server process can read tls.crt, tls.key and ca.crt from it).
 * - AGGREGATED_APISERVER_IMAGE=<image> overrides the server image.
 * - AGGREGATED_APISERVER_EXTRA_SANS=<name-or-ip>,... adds SANs to the serving certificate.
 * - AGGREGATED_APISERVER_TLS_MODE=self-managed|generated picks how the serving certificate is made.
 */
export function seedOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): SeedOptions {
  const options: { -readonly [K in keyof SeedOptions]: SeedOptions[K] } = {};
  const address = env.AGGREGATED_APISERVER_EXTERNAL_ADDRESS;
  if (address) {
    const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]+)$/.exec(address);
    if (!match) {
      throw new Error(
        `AGGREGATED_APISERVER_EXTERNAL_ADDRESS must be <host>:<port> or [<ipv6>]:<port>, got "${address}"`,
      );
    }
    const host = match[1] ?? match[2];
    // Kubernetes refuses loopback endpoint addresses: a server on this machine is reached
    // through an ExternalName Service `localhost` instead (the certificate also gets the IP).
    const loopback = host === '::1' || /^127\./.test(host);
    options.external = { address: loopback ? 'localhost' : host, port: Number(match[3]) };
    if (loopback) options.extraSans = [host];
  }
  if (env.AGGREGATED_APISERVER_PKI_DIR) options.keyStoreDir = env.AGGREGATED_APISERVER_PKI_DIR;
  if (env.AGGREGATED_APISERVER_IMAGE) options.image = env.AGGREGATED_APISERVER_IMAGE;
  const tlsMode = env.AGGREGATED_APISERVER_TLS_MODE;
  if (tlsMode) {
    if (tlsMode !== 'self-managed' && tlsMode !== 'generated') {
      throw new Error(`AGGREGATED_APISERVER_TLS_MODE must be self-managed or generated, got "${tlsMode}"`);
    }
    options.tlsMode = tlsMode;
  }
  if (env.AGGREGATED_APISERVER_EXTRA_SANS) {
    options.extraSans = [...(options.extraSans ?? []), ...env.AGGREGATED_APISERVER_EXTRA_SANS.split(',')]
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  return options;
}
