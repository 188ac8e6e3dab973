/**
 * The Widget API deployed with cdk8s: `npx tsx apps/widgets/cdk8s.ts` writes
 * dist/acme-widgets.k8s.yaml (CDK8S_OUTDIR elsewhere). The environment of apps/cdk8s applies
 * (see deploymentEnvironment in apps/support/deployment-environment.ts); the end-to-end suite
 * renders it with AGGREGATED_APISERVER_EXTERNAL_ADDRESS and runs server.ts beside the cluster.
 */
import { App } from 'cdk8s';
import { deploymentEnvironment } from '../support/deployment-environment.js';
import { WidgetsChart } from './widgets-chart.js';

const app = new App();
new WidgetsChart(app, 'acme-widgets', deploymentEnvironment(process.env));
app.synth();
