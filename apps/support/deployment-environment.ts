import { isIP } from 'node:net';
import type { ExternalServerOptions } from '../../lib/core/index.js';

/**
 * What the environment may change in an example deployment (apps/cdk8s and apps/pulumi, the
 * seed; apps/widgets; apps/declarative): where the server runs, its image and how its serving
 * certificate is made. The end-to-end suite renders the examples this way.
 */

/** The serving certificate modes the example programs offer. */
export type ExampleTlsMode = 'self-managed' | 'generated';

/** What the environment may change (see deploymentEnvironment). */
export interface DeploymentEnvironment {
  /** Serve from a process outside the cluster instead of a Deployment. @default - in-cluster */
  readonly external?: ExternalServerOptions;
  /** Key store directory of the certificate generated at synth time (cdk8s only). @default - the construct's default */
  readonly keyStoreDir?: string;
  /** Server image. @default - the example's */
  readonly image?: string;
  /** Extra SANs (DNS names or IP addresses) for the serving certificate. @default [] */
  readonly extraSans?: readonly string[];
  /** How the serving certificate is made. @default - the tool's default */
  readonly tlsMode?: ExampleTlsMode;
}

/** The serving options the environment decides: the certificate, and a server outside the cluster. */
export interface EnvironmentServing {
  readonly tls: {
    readonly mode: ExampleTlsMode;
    readonly additionalDnsNames: string[];
    readonly additionalIpAddresses: string[];
  };
  readonly external?: ExternalServerOptions;
}

/**
 * The certificate and placement the environment asks for.
 *
 * @param defaultTlsMode the program's default serving certificate mode
 */
export function environmentServing(
  environment: DeploymentEnvironment,
  defaultTlsMode: ExampleTlsMode,
): EnvironmentServing {
  const extraSans = [...(environment.extraSans ?? [])];
  // The aggregator dials the external address; a client of the local server may too.
  if (environment.external) extraSans.push(environment.external.address);
  const isIp = (s: string): boolean => isIP(s) !== 0;
  return {
    tls: {
      mode: environment.tlsMode ?? defaultTlsMode,
      additionalDnsNames: [...new Set(extraSans.filter((s) => !isIp(s)))],
      additionalIpAddresses: [...new Set(extraSans.filter(isIp))],
    },
    ...(environment.external ? { external: environment.external } : {}),
  };
}

/**
 * Reads the deployment's environment:
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
export function deploymentEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): DeploymentEnvironment {
  const options: { -readonly [K in keyof DeploymentEnvironment]: DeploymentEnvironment[K] } = {};
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
