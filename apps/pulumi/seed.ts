import { seedServerOptions } from '../seed/seed-options.js';
import type { DeploymentEnvironment } from '../support/deployment-environment.js';
import { AggregatedApiServer, type AggregatedApiServerArgs } from '../../lib/pulumi/index.js';

/**
 * The seed system's arguments, the same as apps/cdk8s's SeedChart gives its construct: the
 * MetricSnapshot API (metrics.example.com, served as v1 and v1beta1) in namespace
 * `custom-apiserver`, two replicas backed by a dedicated three-member etcd, a generated serving
 * certificate (here by @pulumi/tls, kept in the stack state; `keyStoreDir` does not apply), or a
 * server outside the cluster. test/lib/pulumi/seed-program.test.ts checks both render the same.
 */
export function seedServerArgs(environment: DeploymentEnvironment = {}): AggregatedApiServerArgs {
  return seedServerOptions(environment, 'generated');
}

/** The Pulumi name of the seed's component (it prefixes its children's Pulumi names). */
export const SEED_COMPONENT_NAME = 'custom-apiserver';

/** Declares the seed system. */
export function deploySeed(environment: DeploymentEnvironment = {}): AggregatedApiServer {
  return new AggregatedApiServer(SEED_COMPONENT_NAME, seedServerArgs(environment));
}
