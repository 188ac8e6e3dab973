import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seedServerOptions } from '../../apps/seed/seed-options.js';
import {
  etcdArgs,
  etcdBackupCronJob,
  etcdDefragmentationCronJob,
  manifestList,
  renderManifests,
  resolveConfig,
  storageArgs,
} from '../../lib/core/index.js';
import { loadKubeConfig } from '../../server/auth/delegated/kube-client.js';
import { ensureEtcdPki } from '../../server/pki/self-managed/etcd-pki.js';
import { silentLogger } from '../../server/util/logger.js';
import { k8sTool } from '../support/k8s-tools.js';
import { freePorts } from '../support/ports.js';
import { useControlPlane } from './support/control-plane.js';
import { request } from './support/http.js';
import { ProcessGroup } from './support/processes.js';
import { waitFor } from './support/wait.js';

const run = promisify(execFile);

/**
 * The dedicated etcd's TLS settings against a real etcd: the server makes the PKI into the Secret
 * (through its own narrow RBAC), etcd runs with exactly the TLS flags lib/core renders for a
 * member (only addresses, ports and paths moved to this machine), the server connects with the
 * flags lib/core renders for it, a client without a certificate is refused, and the backup and
 * defragmentation commands the CronJobs run succeed against it.
 */
describe('a dedicated etcd with TLS, as rendered, on a real etcd', () => {
  const controlPlane = useControlPlane({ controllerManager: false });
  const config = resolveConfig({
    ...seedServerOptions({}, 'generated'),
    storage: { type: 'dedicated-etcd', members: 1 },
  });
  const manifests = manifestList(
    renderManifests(config, { caCertificatePem: '', certificatePem: '', privateKeyPem: '' }),
  );
  const member = 'custom-apiserver-etcd-0';
  const memberHost = `${member}.custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local`;
  const clientHost = 'custom-apiserver-etcd.custom-apiserver.svc';
  let dir: string;
  let group: ProcessGroup;
  let tlsDir: string;
  let ports: { client: number; peer: number; metrics: number; server: number };
  let kubeconfig: string;

  /** A rendered flag moved to this machine: addresses to localhost, ports to free ones, files to the temp dir. */
  const local = (arg: string) =>
    arg
      .replaceAll(
        `$(POD_NAME).custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local`,
        'localhost',
      )
      .replaceAll(memberHost, 'localhost')
      .replaceAll(clientHost, 'localhost')
      .replaceAll('$(POD_NAME)', member)
      .replaceAll('0.0.0.0', '127.0.0.1')
      .replace(
        /:(2379|2380|2381)\b/g,
        (_, port: string) => `:${{ 2379: ports.client, 2380: ports.peer, 2381: ports.metrics }[port]}`,
      )
      .replaceAll('/etc/etcd/tls', tlsDir)
      .replaceAll('/var/lib/etcd/data', join(dir, 'etcd-data'))
      .replaceAll('/backups', join(dir, 'backups'));

  const etcdctl = (args: string[]) => run(k8sTool('etcdctl'), args, { timeout: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etcd-tls-'));
    tlsDir = join(dir, 'tls');
    mkdirSync(tlsDir);
    mkdirSync(join(dir, 'backups'));
    const [client, peer, metrics, server] = await freePorts(4);
    ports = { client, peer, metrics, server };
    group = new ProcessGroup(controlPlane().logsDir, dir, [dir]);
    const cp = controlPlane();
    const wanted = manifests.filter(
      (m) =>
        ['Namespace', 'ServiceAccount'].includes(m.kind) ||
        m.metadata.name.endsWith('-self-managed-tls') ||
        m.metadata.name === 'custom-apiserver-etcd-tls',
    );
    expect(wanted.map((m) => m.kind).sort()).toEqual([
      'Namespace',
      'Role',
      'RoleBinding',
      'Secret',
      'ServiceAccount',
    ]);
    await cp.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: wanted }),
    });
    const token = (
      await cp.kubectl(['create', 'token', 'custom-apiserver', '-n', 'custom-apiserver'])
    ).trim();
    kubeconfig = cp.makeTokenKubeconfig('etcd-tls', token);
  }, 120_000);
  afterAll(async () => {
    await group?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server fills the empty etcd Secret through its RBAC, with a members certificate for every name', async () => {
    const hostsFlag = storageArgs(config).find((a) => a.startsWith('--self-managed-etcd-tls-member-hosts='));
    await ensureEtcdPki({
      kubeConfig: loadKubeConfig(kubeconfig),
      secretNamespace: 'custom-apiserver',
      secretName: 'custom-apiserver-etcd-tls',
      memberHosts: (hostsFlag ?? '').split('=')[1].split(','),
      validityMs: 3650 * 86_400_000,
      certDir: join(dir, 'from-test'),
      log: silentLogger,
    });
    const data = JSON.parse(
      await controlPlane().kubectl([
        'get',
        'secret',
        'custom-apiserver-etcd-tls',
        '-n',
        'custom-apiserver',
        '-o',
        'jsonpath={.data}',
      ]),
    ) as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual([
      'ca.crt',
      'ca.key',
      'client.crt',
      'client.key',
      'member.crt',
      'member.key',
    ]);
    // What the members mount (the Secret volume's items), written where the flags expect it.
    for (const file of ['ca.crt', 'member.crt', 'member.key']) {
      writeFileSync(join(tlsDir, file), Buffer.from(data[file], 'base64'), { mode: 0o600 });
    }
  });

  it('etcd starts with the rendered TLS flags and refuses clients without a certificate', async () => {
    const args = etcdArgs(config).map(local);
    expect(args).toEqual(expect.arrayContaining(['--client-cert-auth=true', '--peer-client-cert-auth=true']));
    const etcd = group.start({
      name: 'etcd-tls',
      command: k8sTool('etcd'),
      args: [...args, '--unsafe-no-fsync'],
    });
    await waitFor(
      async () => {
        etcd.assertRunning();
        const health = await request(`http://127.0.0.1:${ports.metrics}/health`, { timeoutMs: 1_000 }).catch(
          () => undefined,
        );
        return health?.status === 200;
      },
      'etcd with TLS to be healthy',
      30_000,
    );
    const endpoint = `--endpoints=https://localhost:${ports.client}`;
    const refused = await etcdctl([
      endpoint,
      `--cacert=${join(tlsDir, 'ca.crt')}`,
      '--command-timeout=3s',
      'endpoint',
      'health',
    ]).then(
      () => 'healthy',
      (error: { stderr?: string }) => error.stderr ?? 'failed',
    );
    expect(refused).not.toBe('healthy');
    const plain = await etcdctl([
      `--endpoints=http://localhost:${ports.client}`,
      '--command-timeout=3s',
      'endpoint',
      'health',
    ]).then(
      () => 'healthy',
      () => 'refused',
    );
    expect(plain).toBe('refused');
  });

  it('the server connects with the flags rendered for it and reports ready', async () => {
    const server = group.start({
      name: 'aggregated-apiserver-etcd-tls',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(process.cwd(), 'server/main.ts'),
        // Only the address moves here; the member names stay the rendered ones.
        ...storageArgs(config).map((arg) => (arg.startsWith('--etcd-servers=') ? local(arg) : arg)),
        `--cert-dir=${join(dir, 'server-certs')}`,
        `--secure-port=${ports.server}`,
        '--bind-address=127.0.0.1',
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${controlPlane().kubeconfigPath}`,
        `--authorization-kubeconfig=${controlPlane().kubeconfigPath}`,
        '--v=2',
      ],
    });
    const ca = () => readFileSync(join(dir, 'server-certs', 'apiserver-ca.crt'), 'utf8');
    await waitFor(
      async () => {
        server.assertRunning();
        if (!existsSync(join(dir, 'server-certs', 'apiserver-ca.crt'))) return false;
        const ready = await request(`https://127.0.0.1:${ports.server}/readyz?verbose`, {
          ca: ca(),
          headers: { Host: 'localhost' },
        }).catch(() => undefined);
        return ready?.status === 200;
      },
      'the server to be ready on its TLS etcd',
      90_000,
    );
    expect(readFileSync(join(dir, 'server-certs', 'etcd', 'client.crt'), 'utf8')).toContain(
      'BEGIN CERTIFICATE',
    );
  });

  it('the backup and defragmentation jobs run their rendered etcdctl commands against it', async () => {
    const snapshot =
      etcdBackupCronJob(config)?.spec?.jobTemplate.spec?.template.spec?.initContainers?.[0].args ?? [];
    const saved = await etcdctl(snapshot.map(local));
    expect(saved.stdout + saved.stderr).toMatch(/Snapshot saved/);
    expect(existsSync(join(dir, 'backups', `${member}.db`))).toBe(true);
    const defrag =
      etcdDefragmentationCronJob(config)?.spec?.jobTemplate.spec?.template.spec?.containers[0].args ?? [];
    const defragmented = await etcdctl(defrag.map(local));
    expect(defragmented.stdout).toMatch(/Finished defragmenting etcd member/);
  });
});
