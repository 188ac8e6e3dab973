/**
 * The seed deployment, synthesized by `npm run synth` (cdk8s.yaml: `npx tsx apps/cdk8s/main.ts`)
 * into dist/custom-apiserver.k8s.yaml.
 *
 * Environment (all optional; see deploymentEnvironment in apps/support/deployment-environment.ts):
 *   AGGREGATED_APISERVER_EXTERNAL_ADDRESS=127.0.0.1:6443  serve from a local process: no
 *       Deployment or etcd; a routable IP renders a selector-less Service + EndpointSlice, a DNS
 *       name or a loopback address (Kubernetes refuses loopback endpoints) an ExternalName
 *       Service (`localhost` for loopback); the end-to-end suite uses this.
 *   AGGREGATED_APISERVER_TLS_MODE=generated  generate the certificate at synth time instead of
 *       letting the server manage it (the default, self-managed: no key in the manifests).
 *   AGGREGATED_APISERVER_PKI_DIR=/path/to/pki  where a generated CA and serving key live
 *       (default .aggregated-apiserver/pki/custom-apiserver-custom-apiserver, gitignored).
 *   AGGREGATED_APISERVER_IMAGE=registry.example/aggregated-apiserver:0.1.0  the server image.
 *   AGGREGATED_APISERVER_EXTRA_SANS=localhost,127.0.0.1  more SANs on the serving certificate.
 *
 * Re-running synth writes byte-identical manifests (with generated TLS: given the same key store).
 */
import { App } from 'cdk8s';
import { deploymentEnvironment } from '../support/deployment-environment.js';
import { SeedChart } from './seed-chart.js';

const app = new App();
new SeedChart(app, 'custom-apiserver', deploymentEnvironment(process.env));
app.synth();
