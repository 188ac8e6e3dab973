import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupPoliciesServerOptions } from '../../apps/declarative/deployment.js';
import { widgetsServerOptions } from '../../apps/widgets/deployment.js';
import { k8sTool } from '../support/k8s-tools.js';
import {
  deployAggregatedServer,
  type AggregatedServer,
  type ExampleApp,
} from './support/aggregated-server.js';
import { useControlPlane, waitFor } from './support/control-plane.js';
import { waitForAvailable } from './support/api-service.js';

/** apps/widgets: the Widget team's definition, deployed by the construct, served by its own entry. */
const WIDGETS: ExampleApp = {
  name: 'widgets-apiserver',
  renderers: { cdk8s: 'apps/widgets/cdk8s.ts' },
  options: widgetsServerOptions,
  entry: 'apps/widgets/server.ts',
};

/** apps/declarative: a definition that is plain data, on the stock server from the ConfigMap. */
const BACKUP_POLICIES: ExampleApp = {
  name: 'ops-apiserver',
  renderers: { cdk8s: 'apps/declarative/cdk8s.ts' },
  options: backupPoliciesServerOptions,
  entry: 'server/main.ts',
};

const widgetV1 = `apiVersion: widgets.acme.io/v1
kind: Widget
metadata:
  name: blue
spec:
  color: blue
  size: { value: 10, unit: cm }
  replicas: 2
`;

const widgetV1alpha1 = `apiVersion: widgets.acme.io/v1alpha1
kind: Widget
metadata:
  name: old-red
spec:
  color: red
  size: 4in
`;

const backupPolicy = (name: string, spec: string) => `apiVersion: ops.acme.io/v1
kind: BackupPolicy
metadata:
  name: ${name}
  namespace: default
spec:
${spec}`;

/**
 * A user's own API, defined once (apps/): the construct deploys it from the definition the server
 * serves, and kubectl works on it through the real aggregator. The Widget (code: conversion,
 * hooks, a storage of its own) runs on its own server entry; the declarative BackupPolicy on the
 * stock server, which reads it from the ConfigMap the construct rendered.
 */
describe('your own API through a real aggregator', () => {
  const controlPlane = useControlPlane();
  const kubectl = (args: string[]): Promise<string> => controlPlane().kubectl(args);
  const apply = async (name: string, manifest: string): Promise<string> => {
    const file = join(controlPlane().dirs.base, `${name}.yaml`);
    writeFileSync(file, manifest);
    return kubectl(['apply', '-f', file]);
  };
  const available = (apiService: string, server: AggregatedServer): Promise<void> =>
    waitForAvailable(kubectl, [apiService], () => server.process.assertRunning());
  /** `kubectl explain`, once kube-apiserver has aggregated the server's OpenAPI. */
  const explain = (args: string[]): Promise<string> =>
    waitFor(
      async () => {
        const result = await controlPlane().runKubectl(['explain', ...args]);
        return result.code === 0 && result.stdout;
      },
      `kubectl explain ${args.join(' ')}`,
      60_000,
    );
  /** `kubectl get -w --output-watch-events` until `until` matches its output. */
  const watchUntil = async (resource: string, until: RegExp, change: () => Promise<unknown>) => {
    const watcher = spawn(k8sTool('kubectl'), [
      '--kubeconfig',
      controlPlane().kubeconfigPath,
      'get',
      resource,
      '-w',
      '--output-watch-events',
    ]);
    let output = '';
    watcher.stdout.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await waitFor(() => /ADDED/.test(output), `the initial events of ${resource}`, 30_000);
      await change();
      await waitFor(() => until.test(output), `${until} in the watch of ${resource}`, 30_000);
    } finally {
      watcher.kill();
    }
    return output;
  };

  describe('a Widget deployed by the construct from its definition, served by its own entry', () => {
    let server: AggregatedServer;
    beforeAll(async () => {
      server = await deployAggregatedServer(controlPlane(), 'cdk8s', { app: WIDGETS });
    }, 240_000);
    afterAll(async () => server?.stop());

    it('both served versions become Available', async () => {
      expect(server.manifests.filter((m) => m.kind === 'APIService').map((m) => m.metadata.name)).toEqual([
        'v1.widgets.acme.io',
        'v1alpha1.widgets.acme.io',
      ]);
      await available('v1.widgets.acme.io', server);
      await available('v1alpha1.widgets.acme.io', server);
    });

    it('kubectl apply and get work in both versions, converted by the definition', async () => {
      expect(await apply('widget-v1', widgetV1)).toContain('widget.widgets.acme.io/blue created');
      expect(await apply('widget-v1alpha1', widgetV1alpha1)).toContain(
        'widget.widgets.acme.io/old-red created',
      );
      expect(await kubectl(['get', 'widgets'])).toMatch(/blue\s+blue\s+10cm\s+2\s+\S+/);
      const listed = await controlPlane().runKubectl(['get', 'widgets.v1alpha1.widgets.acme.io', 'old-red']);
      expect(listed.stdout).toMatch(/old-red\s+red\s+4in/);
      expect(listed.stderr).toContain('widgets.acme.io/v1alpha1 Widget is deprecated');
      const stored = JSON.parse(
        await kubectl(['get', 'widgets.v1.widgets.acme.io', 'old-red', '-o', 'json']),
      );
      expect(stored.spec.size).toEqual({ value: 4, unit: 'in' });
      // The entry's strategy hook saw the real user the aggregator asserted.
      expect(stored.metadata.annotations['widgets.acme.io/created-by']).toBe('kubernetes-admin');
      expect(await kubectl(['scale', 'widget', 'blue', '--replicas=3'])).toContain('scaled');
      expect(await kubectl(['get', 'widget', 'blue', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');
    });

    it("kubectl explain reads each version's schema", async () => {
      expect(await explain(['widgets.spec.size'])).toMatch(/unit\s+<string>/);
      expect(await explain(['widgets.spec.size', '--api-version=widgets.acme.io/v1alpha1'])).toMatch(
        /FIELD:\s+size\s+<string>/,
      );
    });

    it('kubectl get -w sees a change in both versions', async () => {
      const change = () =>
        kubectl(['patch', 'widget', 'blue', '--type=merge', '-p', '{"spec":{"replicas":5}}']);
      const v1 = await watchUntil('widgets.v1.widgets.acme.io', /MODIFIED\s+blue\s+blue\s+10cm\s+5/, change);
      expect(v1).toMatch(/ADDED\s+old-red\s+red\s+4in/);
      await watchUntil('widgets.v1alpha1.widgets.acme.io', /MODIFIED\s+blue\s+blue\s+10cm/, () =>
        kubectl(['patch', 'widget', 'blue', '--type=merge', '-p', '{"spec":{"replicas":6}}']),
      );
    });

    it('the derived roles: view reads widgets and their subresources, edit writes no cluster-scoped kind', async () => {
      const canI = (verb: string, resource: string, user: string, subresource?: string) =>
        controlPlane()
          .runKubectl([
            'auth',
            'can-i',
            verb,
            resource,
            `--as=${user}`,
            ...(subresource ? [`--subresource=${subresource}`] : []),
          ])
          .then((r) => r.stdout.trim());
      await kubectl([
        'create',
        'clusterrolebinding',
        'e2e-widget-viewer',
        '--clusterrole=view',
        '--user=e2e-viewer',
      ]);
      await kubectl([
        'create',
        'clusterrolebinding',
        'e2e-widget-editor',
        '--clusterrole=edit',
        '--user=e2e-editor',
      ]);
      await waitFor(
        async () => (await canI('get', 'widgets.widgets.acme.io', 'e2e-viewer', 'scale')) === 'yes',
        'the view role to include widgets/scale',
        60_000,
      );
      expect(await canI('list', 'widgets.widgets.acme.io', 'e2e-viewer')).toBe('yes');
      expect(await canI('get', 'widgets.widgets.acme.io', 'e2e-viewer', 'status')).toBe('yes');
      expect(await canI('update', 'widgets.widgets.acme.io', 'e2e-editor')).toBe('no');
      expect(await canI('get', 'widgets.widgets.acme.io', 'e2e-editor')).toBe('yes');
    });
  });

  describe('a declarative BackupPolicy on the stock server, from the ConfigMap the construct rendered', () => {
    let server: AggregatedServer;
    beforeAll(async () => {
      server = await deployAggregatedServer(controlPlane(), 'cdk8s', { app: BACKUP_POLICIES });
    }, 240_000);
    afterAll(async () => server?.stop());

    it('the stock server runs with the rendered file and --resources, and its APIService becomes Available', async () => {
      // A process log starts with its command line.
      const commandLine = readFileSync(server.process.logFile, 'utf8').split('\n')[0];
      expect(commandLine).toContain('server/main.ts');
      expect(commandLine).toContain('--resources=backuppolicies.ops.acme.io');
      expect(commandLine).toMatch(/--resource-definitions=\S+\/resources\.json/);
      await available('v1.ops.acme.io', server);
      expect(await kubectl(['api-resources', '--api-group=ops.acme.io'])).toMatch(
        /backuppolicies\s+bp\s+ops.acme.io\/v1\s+true\s+BackupPolicy/,
      );
    });

    it('kubectl apply and get work, with the schema defaults and the CEL rules of the definition', async () => {
      expect(
        await apply('nightly', backupPolicy('nightly', '  schedule: "0 2 * * *"\n  retentionDays: 14\n')),
      ).toContain('backuppolicy.ops.acme.io/nightly created');
      expect(await kubectl(['get', 'bp', 'nightly'])).toMatch(/nightly\s+0 2 \* \* \*\s+14\s+local/);
      const file = join(controlPlane().dirs.base, 'refused.yaml');
      writeFileSync(file, backupPolicy('hoarder', '  schedule: "0 2 * * *"\n  retentionDays: 90\n'));
      const refused = await controlPlane().runKubectl(['apply', '-f', file]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('local backups are kept at most 30 days');
    });

    it('kubectl explain shows the schema from the ConfigMap', async () => {
      expect(await explain(['backuppolicies.spec.schedule'])).toContain(
        'When backups run, as a cron expression of five fields.',
      );
    });

    it('kubectl get -w sees a change', async () => {
      await watchUntil('backuppolicies', /MODIFIED\s+nightly\s+0 3 \* \* \*/, () =>
        kubectl(['patch', 'bp', 'nightly', '--type=merge', '-p', '{"spec":{"schedule":"0 3 * * *"}}']),
      );
    });
  });
});
