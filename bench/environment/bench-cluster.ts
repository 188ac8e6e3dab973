import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '../../server/pki/certificates.js';
import { startControlPlane, type ControlPlane } from '../../test/e2e/support/control-plane.js';
import { pin } from './cpu-affinity.js';

/** Who the benchmark's requests are from, as the aggregator would say it in X-Remote-* headers. */
export type UserId = 'admin' | 'user';

export const USERS: Readonly<
  Record<UserId, { readonly name: string; readonly groups: readonly string[]; readonly title: string }>
> = {
  /** system:masters: both servers authorize it without asking kube-apiserver. */
  admin: { name: 'bench-admin', groups: ['system:masters', 'system:authenticated'], title: 'system:masters' },
  /**
   * An ordinary user, allowed by RBAC: both servers ask kube-apiserver with a
   * SubjectAccessReview and cache the decision (10 s by default in both).
   */
  user: {
    name: 'bench-user',
    groups: ['bench-users', 'system:authenticated'],
    title: 'non-admin user (RBAC)',
  },
};

/** The API groups the servers under test serve; the non-admin user may do anything in them. */
const BENCH_API_GROUPS = ['metrics.example.com', 'wardle.example.com'];

export interface ServingFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA that signed the serving certificate (the cluster CA). */
  readonly caPem: string;
}

/**
 * kube-apiserver (with its own etcd) for delegated authentication and authorization, plus what
 * every server under test shares: one serving certificate, the front proxy's client
 * certificate, and the namespaces the workloads use.
 */
export interface BenchCluster {
  readonly controlPlane: ControlPlane;
  /** system:masters kubeconfig, given to both servers for delegation and namespace checks. */
  readonly kubeconfig: string;
  readonly serving: ServingFiles;
  /** The aggregator's client certificate, whose X-Remote-* headers both servers trust. */
  readonly frontProxy: { readonly certPem: string; readonly keyPem: string };
  /** kube-apiserver's pid (its CPU use is reported alongside the server's). */
  readonly kubeApiServerPid: number;
  stop(keepLogs: boolean): Promise<void>;
}

export async function startBenchCluster(
  workDir: string,
  namespaces: readonly string[],
  otherCpus: string,
): Promise<BenchCluster> {
  const controlPlane = await startControlPlane({ controllerManager: false, startupTimeoutMs: 180_000 });
  try {
    const kubeApiServerPid = controlPlane.processes.kubeApiServer.pid;
    const etcdPid = controlPlane.processes.etcd.pid;
    if (kubeApiServerPid === undefined || etcdPid === undefined) throw new Error('kube-apiserver has no pid');
    pin(kubeApiServerPid, otherCpus);
    pin(etcdPid, otherCpus);
    await controlPlane.kubectl(['apply', '-f', '-'], { stdin: rbacAndNamespaces(namespaces) });

    mkdirSync(workDir, { recursive: true });
    const pki = controlPlane.pki;
    const pair = await issueCertificate(pki.clusterCa, {
      commonName: 'bench-server',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validityDays: 2,
    });
    const certFile = join(workDir, 'serving.crt');
    const keyFile = join(workDir, 'serving.key');
    writeFileSync(certFile, pair.certPem);
    writeFileSync(keyFile, pair.keyPem, { mode: 0o600 });
    return {
      controlPlane,
      kubeconfig: controlPlane.kubeconfigPath,
      serving: { certFile, keyFile, caPem: pki.clusterCa.certPem },
      frontProxy: { certPem: pki.frontProxyClient.certPem, keyPem: pki.frontProxyClient.keyPem },
      kubeApiServerPid,
      stop: (keepLogs) => controlPlane.stop({ keepLogs }),
    };
  } catch (error) {
    await controlPlane.stop({ keepLogs: true });
    throw error;
  }
}

function rbacAndNamespaces(namespaces: readonly string[]): string {
  const documents: object[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'bench-objects' },
      rules: [{ apiGroups: BENCH_API_GROUPS, resources: ['*'], verbs: ['*'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bench-objects' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench-objects' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'bench-users' }],
    },
    ...namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: documents });
}
