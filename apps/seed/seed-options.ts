import type { AggregatedApiServerOptions } from '../../lib/core/index.js';
import { metricSnapshot } from '../../resources/metricsnapshot/index.js';
import {
  environmentServing,
  type DeploymentEnvironment,
  type EnvironmentServing,
  type ExampleTlsMode,
} from '../support/deployment-environment.js';

/**
 * The seed system both example programs deploy (apps/cdk8s and apps/pulumi): the package's own
 * MetricSnapshot definition (`aggregated-apiserver/metricsnapshot`, served as v1 and v1beta1),
 * which the stock image serves itself, in namespace `custom-apiserver`, two replicas backed by a
 * dedicated three-member etcd, with each tool's default serving certificate (cdk8s: self-managed
 * by the server; Pulumi: generated into the stack state); or a server outside the cluster.
 *
 * @param defaultTlsMode the program's default serving certificate mode
 */
export function seedServerOptions(
  environment: DeploymentEnvironment = {},
  defaultTlsMode: ExampleTlsMode = 'self-managed',
): AggregatedApiServerOptions & EnvironmentServing {
  const serving = environmentServing(environment, defaultTlsMode);
  return {
    name: 'custom-apiserver',
    namespace: 'custom-apiserver',
    resources: [metricSnapshot],
    image: environment.image,
    ...serving,
    ...(serving.external ? {} : { replicas: 2, storage: { type: 'dedicated-etcd', members: 3 } }),
  };
}
