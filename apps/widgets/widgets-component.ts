import { AggregatedApiServer } from '../../lib/pulumi/index.js';
import type { DeploymentEnvironment } from '../support/deployment-environment.js';
import { widgetsServerOptions } from './deployment.js';

/** The Pulumi name of the Widget API's component. */
export const WIDGETS_COMPONENT_NAME = 'acme-widgets';

/** Declares the Widget API with the Pulumi component (see deployment.ts). */
export function deployWidgets(environment: DeploymentEnvironment = {}): AggregatedApiServer {
  return new AggregatedApiServer(WIDGETS_COMPONENT_NAME, widgetsServerOptions(environment, 'generated'));
}
