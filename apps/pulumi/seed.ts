import { isIP } from 'node:net';
import type { SeedChartOptions } from '../cdk8s/seed-chart.js';
import { AggregatedApiServer, type AggregatedApiServerArgs } from '../../lib/pulumi/index.js';

/**
 * The seed system's arguments, the same as apps/cdk8s's SeedChart gives its construct: the
 * MetricSnapshot API (metrics.example.com, served as v1 and v1beta1) in namespace
 * `custom-apiserver`, two replicas backed by a dedicated three-member etcd, a generated serving
 * certificate (here by @pulumi/tls, kept in the stack state; `keyStoreDir` does not apply), or a
 * server outside the cluster. test/lib/pulumi/seed-program.test.ts checks both render the same.
 */
export function seedServerArgs(options: SeedChartOptions = {}): AggregatedApiServerArgs {
  const extraSans = [...(options.extraSans ?? [])];
  // The aggregator dials the external address; a client of the local server may too.
  if (options.external) extraSans.push(options.external.address);
  const isIp = (s: string) => isIP(s) !== 0;
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
      mode: 'generated',
      additionalDnsNames: [...new Set(extraSans.filter((s) => !isIp(s)))],
      additionalIpAddresses: [...new Set(extraSans.filter(isIp))],
    },
    ...(options.external
      ? { external: options.external }
      : { replicas: 2, storage: { type: 'dedicated-etcd', members: 3 } }),
  };
}

/** The Pulumi name of the seed's component (it prefixes its children's Pulumi names). */
export const SEED_COMPONENT_NAME = 'custom-apiserver';

/** Declares the seed system. */
export function deploySeed(options: SeedChartOptions = {}): AggregatedApiServer {
  return new AggregatedApiServer(SEED_COMPONENT_NAME, seedServerArgs(options));
}
