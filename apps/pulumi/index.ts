/**
 * The seed deployment as a Pulumi program (Pulumi.yaml: `main: apps/pulumi/index.ts`): the same system
 * apps/cdk8s synthesizes, deployed with the AggregatedApiServer component to the cluster of the
 * default kubernetes provider (your kubeconfig's current context).
 *
 * Environment (all optional; the same as apps/cdk8s, see deploymentEnvironment in
 * apps/support/deployment-environment.ts):
 *   AGGREGATED_APISERVER_EXTERNAL_ADDRESS=127.0.0.1:6443  serve from a process outside the cluster
 *   AGGREGATED_APISERVER_IMAGE=registry.example/aggregated-apiserver:0.1.0  the server image
 *   AGGREGATED_APISERVER_EXTRA_SANS=localhost,127.0.0.1  more SANs on the serving certificate
 * (AGGREGATED_APISERVER_PKI_DIR does not apply: the keys live in the stack state.)
 *
 * `npx tsx apps/pulumi/render-manifests.ts <dir>` runs this program under mocks and writes the
 * objects it would apply as YAML.
 */
import { deploymentEnvironment } from '../support/deployment-environment.js';
import { deploySeed } from './seed.js';

const server = deploySeed(deploymentEnvironment(process.env));

export const namespace = server.namespaceName;
export const serviceName = server.serviceName;
export const apiServiceNames = server.apiServiceNames;
export const caCertificatePem = server.caCertificatePem;
export const caBundle = server.caBundle;
