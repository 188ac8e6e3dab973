import type { AggregatedApiServerOptions } from '../../lib/core/index.js';
import {
  environmentServing,
  type DeploymentEnvironment,
  type EnvironmentServing,
  type ExampleTlsMode,
} from '../support/deployment-environment.js';
import { widget } from './widget.js';

/** The image of the Widget team's server: server.ts, built on the package's server library. */
export const WIDGETS_IMAGE = 'registry.acme.io/platform/widgets-apiserver:1.4.0';

/**
 * The Widget API's deployment, the same for both tools (cdk8s.ts, pulumi.ts): the definition the
 * server entry serves (widget.ts), deployed with the team's own image, which runs server.ts. Its
 * storage is a JSON file in the data directory, so one replica on an embedded data volume; or a
 * server outside the cluster.
 *
 * @param defaultTlsMode the program's default serving certificate mode
 */
export function widgetsServerOptions(
  environment: DeploymentEnvironment = {},
  defaultTlsMode: ExampleTlsMode = 'self-managed',
): AggregatedApiServerOptions & EnvironmentServing {
  const serving = environmentServing(environment, defaultTlsMode);
  return {
    name: 'widgets-apiserver',
    namespace: 'acme-widgets',
    resources: [widget],
    image: environment.image ?? WIDGETS_IMAGE,
    ...serving,
    ...(serving.external ? {} : { replicas: 1, storage: { type: 'embedded', size: '1Gi' } }),
  };
}
