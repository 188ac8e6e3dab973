/**
 * The Widget API deployed with Pulumi: a program (`main: apps/widgets/pulumi.ts` in a Pulumi.yaml
 * of your own) deploying the same objects as cdk8s.ts, to the cluster of the default kubernetes
 * provider. The environment of apps/pulumi applies.
 */
import { deploymentEnvironment } from '../support/deployment-environment.js';
import { deployWidgets } from './widgets-component.js';

const server = deployWidgets(deploymentEnvironment(process.env));

export const namespace = server.namespaceName;
export const apiServiceNames = server.apiServiceNames;
export const caBundle = server.caBundle;
