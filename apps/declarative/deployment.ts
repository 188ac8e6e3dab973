import type { AggregatedApiServerOptions } from '../../lib/core/index.js';
import {
  environmentServing,
  type DeploymentEnvironment,
  type EnvironmentServing,
  type ExampleTlsMode,
} from '../support/deployment-environment.js';
import { backupPolicy } from './backup-policy.js';

/**
 * The BackupPolicy API's deployment: a definition that is plain data, served by the stock image
 * (no `image`): the construct hands it to the server in a ConfigMap. Two replicas on a dedicated
 * etcd, as the construct's defaults have it; or a server outside the cluster.
 *
 * @param defaultTlsMode the program's default serving certificate mode
 */
export function backupPoliciesServerOptions(
  environment: DeploymentEnvironment = {},
  defaultTlsMode: ExampleTlsMode = 'self-managed',
): AggregatedApiServerOptions & EnvironmentServing {
  return {
    name: 'ops-apiserver',
    namespace: 'acme-ops',
    resources: [backupPolicy],
    // A copy of the stock image in a registry of one's own is still the stock image.
    ...(environment.image ? { image: environment.image, serverEntry: 'stock' } : {}),
    ...environmentServing(environment, defaultTlsMode),
  };
}
