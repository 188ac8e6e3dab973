/**
 * The BackupPolicy API deployed with cdk8s on the stock image: `npx tsx apps/declarative/cdk8s.ts`
 * writes dist/acme-ops.k8s.yaml (CDK8S_OUTDIR elsewhere), the definition in a ConfigMap the stock
 * server loads. The environment of apps/cdk8s applies (see deploymentEnvironment in
 * apps/support/deployment-environment.ts).
 */
import { App } from 'cdk8s';
import { deploymentEnvironment } from '../support/deployment-environment.js';
import { BackupPoliciesChart } from './backup-policies-chart.js';

const app = new App();
new BackupPoliciesChart(app, 'acme-ops', deploymentEnvironment(process.env));
app.synth();
