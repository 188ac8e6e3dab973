import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { issueCertificate } from '../../../server/pki/certificates.js';
import { k8sTool } from '../../support/k8s-tools.js';
import { apiServiceAvailable, waitForAvailable } from './api-service.js';
import { deployAggregatedServer, type AggregatedServer, type ManifestSource } from './aggregated-server.js';
import { useControlPlane } from './control-plane.js';
import { delay, waitFor } from './wait.js';
import { seedManifest } from '../../support/seed.js';

/**
 * The standing proof that an aggregated API server is real: a real kube-apiserver marks its
 * APIServices Available, and real users reach it through the aggregator with their own
 * identities and RBAC. Registered once per manifest source (cdk8s, Pulumi).
 */
export function describeAggregation(source: ManifestSource): void {
  describe(`the seed system rendered by ${source}, behind a real aggregator`, () => {
    const controlPlane = useControlPlane();
    let server: AggregatedServer;
    let dir: string;

    beforeAll(async () => {
      server = await deployAggregatedServer(controlPlane(), source);
      dir = controlPlane().dirs.base;
      writeFileSync(join(dir, 'seed.yaml'), seedManifest);
    }, 240_000);
    afterAll(async () => server?.stop());

    const kubectl = (args: string[], kubeconfig?: string): Promise<string> =>
      controlPlane().kubectl(args, kubeconfig ? { kubeconfig } : {});

    /** A request straight to the server as the aggregator would send it for `user` in `group`. */
    const asFrontProxy = (path: string, user: string, group: string) =>
      server.direct(path, {
        cert: controlPlane().pki.frontProxyClient.certPem,
        key: controlPlane().pki.frontProxyClient.keyPem,
        headers: { 'X-Remote-User': user, 'X-Remote-Group': group },
      });

    /** `kubectl apply` of the seed MetricSnapshot named `name` in namespace `ns`, without throwing. */
    const applySeed = (ns: string, name = 'app-metrics') => {
      const file = join(dir, `${ns}-${name}.yaml`);
      writeFileSync(
        file,
        seedManifest.replace('app-metrics', name).replace('namespace: default', `namespace: ${ns}`),
      );
      return controlPlane().runKubectl(['apply', '-f', file]);
    };
    const setFinalizers = (ns: string, configMap: string, finalizers: string[]) =>
      kubectl([
        'patch',
        'configmap',
        configMap,
        '-n',
        ns,
        '--type=merge',
        '-p',
        JSON.stringify({ metadata: { finalizers } }),
      ]);

    it('the APIServices become Available (the aggregator verified the caBundle)', async () => {
      await waitForAvailable(kubectl, ['v1.metrics.example.com', 'v1beta1.metrics.example.com'], () =>
        server.process.assertRunning(),
      );
    });

    it('the rendered manifests carry a caBundle only when the certificate was rendered too', () => {
      expect(server.servingMode).toBe(source === 'cdk8s' ? 'self-managed' : 'generated');
      const caBundles = server.manifests
        .filter((m) => m.kind === 'APIService')
        .map((m) => m.spec?.caBundle !== undefined);
      expect(caBundles).toEqual([server.servingMode === 'generated', server.servingMode === 'generated']);
    });

    if (source === 'cdk8s') {
      it('self-managed TLS: a forced CA rotation runs through while the APIServices stay Available and serve', async () => {
        const before = splitPem(await server.servingCa());
        expect(before).toHaveLength(1);
        await kubectl([
          'annotate',
          'secret',
          'custom-apiserver-serving-cert',
          '-n',
          'custom-apiserver',
          'aggregated-apiserver.io/rotate=ca',
        ]);
        const seen = { widened: false, switched: false, narrowed: false };
        const deadline = Date.now() + 120_000;
        let rounds = 0;
        while (!seen.narrowed) {
          if (Date.now() > deadline) throw new Error(`the rotation did not finish: ${JSON.stringify(seen)}`);
          server.process.assertRunning();
          for (const name of ['v1.metrics.example.com', 'v1beta1.metrics.example.com']) {
            const available = await apiServiceAvailable(kubectl, name);
            expect({ round: rounds, name, available }).toEqual({ round: rounds, name, available: 'True' });
          }
          const listed = await controlPlane().runKubectl(['get', 'metricsnapshots', '-A']);
          // An empty list says "No resources found" on stderr; anything else there is a failure.
          expect({ round: rounds, code: listed.code, stderr: listed.stderr.trim() }).toEqual({
            round: rounds,
            code: 0,
            stderr: 'No resources found',
          });
          const bundle = splitPem(await server.servingCa());
          const served = await servedCertificate(server.port);
          expect(bundle.some((ca) => served.checkIssued(new X509Certificate(ca)))).toBe(true);
          if (bundle.length === 2 && bundle[0] === before[0]) seen.widened = true;
          if (seen.widened && !served.checkIssued(new X509Certificate(before[0]))) seen.switched = true;
          if (seen.switched && bundle.length === 1 && bundle[0] !== before[0]) seen.narrowed = true;
          rounds++;
          await delay(500);
        }
        expect(seen).toEqual({ widened: true, switched: true, narrowed: true });
      });
    }

    it('discovery through the aggregator lists the group and the resource', async () => {
      await waitFor(
        async () => (await kubectl(['api-versions'])).includes('metrics.example.com/v1\n'),
        'api-versions to list metrics.example.com/v1',
        60_000,
      );
      const versions = await kubectl(['api-versions']);
      expect(versions).toContain('metrics.example.com/v1beta1');
      expect(await kubectl(['api-resources', '--api-group=metrics.example.com'])).toMatch(
        /metricsnapshots\s+msnap\s+metrics.example.com\/v1\s+true\s+MetricSnapshot/,
      );
    });

    it("the seed's kubectl commands work through the aggregator", async () => {
      expect(await kubectl(['apply', '-f', join(dir, 'seed.yaml')])).toContain(
        'metricsnapshot.metrics.example.com/app-metrics created',
      );
      expect(await kubectl(['get', 'metricsnapshots'])).toMatch(
        /app-metrics\s+prometheus\s+cpu_usage,memory_usage,request_count\s+1m/,
      );
      const yaml = await kubectl(['get', 'metricsnapshot', 'app-metrics', '-o', 'yaml']);
      expect(yaml).toContain('kind: MetricSnapshot');
      expect(yaml).toContain('- memory_usage');
      // kube-apiserver aggregates the OpenAPI of a new APIService asynchronously, shortly after it is Available.
      const explained = await waitFor(
        async () => {
          const result = await controlPlane().runKubectl(['explain', 'metricsnapshot.spec']);
          return result.code === 0 && result.stdout;
        },
        'kubectl explain to find the aggregated schema',
        60_000,
      );
      expect(explained).toContain('How often the snapshot is collected');
    });

    it('kubectl get -w sees a change', async () => {
      const watcher = spawn(k8sTool('kubectl'), [
        '--kubeconfig',
        controlPlane().kubeconfigPath,
        'get',
        'msnap',
        'app-metrics',
        '-w',
        '--output-watch-events',
      ]);
      let output = '';
      watcher.stdout.on('data', (c: Buffer) => (output += c.toString()));
      try {
        await waitFor(() => /ADDED\s+app-metrics/.test(output), 'the initial ADDED event', 30_000);
        await kubectl(['patch', 'msnap', 'app-metrics', '--type=merge', '-p', '{"spec":{"interval":"2m"}}']);
        await waitFor(
          () => /MODIFIED\s+app-metrics\s+prometheus\s+\S+\s+2m/.test(output),
          'the MODIFIED event',
          30_000,
        );
      } finally {
        watcher.kill();
      }
      expect(await kubectl(['delete', 'metricsnapshot', 'app-metrics'])).toContain('deleted');
    });

    it('an unprivileged user is refused, then allowed by a RoleBinding to the aggregated edit role', async () => {
      const cp = controlPlane();
      const kubeconfig = await cp.makeUserKubeconfig(`e2e-${source}-user`);
      const refused = await cp.runKubectl(['get', 'metricsnapshots', '-n', 'default'], { kubeconfig });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/forbidden/i);
      await kubectl([
        'create',
        'rolebinding',
        `e2e-${source}-edit`,
        '--clusterrole=edit',
        `--user=e2e-${source}-user`,
        '-n',
        'default',
      ]);
      await waitFor(
        async () =>
          (await cp.runKubectl(['get', 'metricsnapshots', '-n', 'default'], { kubeconfig })).code === 0,
        'the edit role to include metricsnapshots',
        60_000,
      );
      await kubectl(['apply', '-f', join(dir, 'seed.yaml')], kubeconfig);
      await kubectl(['delete', 'metricsnapshot', 'app-metrics'], kubeconfig);
    });

    it("the server's own checks: SubjectAccessReview for front-proxy users", async () => {
      const response = await asFrontProxy(
        '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots',
        'e2e-nobody',
        'e2e-nobodies',
      );
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
      expect(response.body).toContain('User \\"e2e-nobody\\" cannot list resource \\"metricsnapshots\\"');

      const admin = await asFrontProxy(
        '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots',
        'e2e-admin',
        'system:masters',
      );
      expect(admin.status).toBe(200);
    });

    it('forged X-Remote-* headers without the front-proxy certificate are not trusted', async () => {
      const response = await server.direct(
        '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots',
        {
          headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' },
        },
      );
      expect(response.status).toBe(403);
      expect(response.body).toContain('system:anonymous');
    });

    it('a front-proxy certificate whose CN is not an allowed name is refused with 401', async () => {
      const rogue = await issueCertificate(controlPlane().pki.frontProxyCa, {
        commonName: 'rogue-proxy',
        usage: 'client',
        validityDays: 1,
      });
      const response = await server.direct(
        '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots',
        {
          cert: rogue.certPem,
          key: rogue.keyPem,
          headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' },
        },
      );
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    });

    it('nothing is created in a namespace that does not exist or is terminating', async () => {
      const cp = controlPlane();
      const missing = await applySeed('e2e-nowhere');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('namespaces "e2e-nowhere" not found');

      // A finalizer on a ConfigMap holds the namespace in Terminating while we try.
      const ns = `e2e-${source}-terminating`;
      await kubectl(['create', 'namespace', ns]);
      await kubectl(['create', 'configmap', 'hold', '-n', ns]);
      await setFinalizers(ns, 'hold', ['example.com/hold']);
      await kubectl(['delete', 'namespace', ns, '--wait=false']);
      await waitFor(
        async () =>
          (await kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}'])) === 'Terminating',
        `${ns} to be Terminating`,
        30_000,
      );
      const refused = await applySeed(ns);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
      await setFinalizers(ns, 'hold', []);
      await waitFor(
        async () => (await cp.runKubectl(['get', 'namespace', ns])).code !== 0,
        `${ns} to be gone`,
        120_000,
      );
    });

    it('deleting a namespace removes its MetricSnapshots and the namespace finishes terminating', async () => {
      const ns = `e2e-${source}-doomed`;
      await kubectl(['create', 'namespace', ns]);
      for (const name of ['one', 'two']) expect((await applySeed(ns, name)).code).toBe(0);
      await kubectl(['delete', 'namespace', ns, '--wait=false']);
      await waitFor(
        async () => (await controlPlane().runKubectl(['get', 'namespace', ns])).code !== 0,
        `namespace ${ns} to be gone`,
        120_000,
      );
      const left = await asFrontProxy(
        `/apis/metrics.example.com/v1/namespaces/${ns}/metricsnapshots`,
        'e2e-admin',
        'system:masters',
      );
      expect(JSON.parse(left.body)).toMatchObject({ kind: 'MetricSnapshotList', items: [] });
    });
  });
}

/** The certificates of a PEM bundle. */
function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The certificate the server presents now (read over a fresh TLS connection). */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false },
      () => {
        const raw = socket.getPeerCertificate().raw;
        socket.destroy();
        resolve(new X509Certificate(raw));
      },
    );
    socket.once('error', reject);
  });
}
