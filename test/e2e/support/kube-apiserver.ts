import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { k8sTool } from '../../support/k8s-tools.js';
import { request } from './http.js';
import { FRONT_PROXY_CLIENT_NAME, type ControlPlanePki } from './pki.js';
import { freePorts, retryOnPortConflict } from '../../support/ports.js';
import type { ProcessGroup, SupervisedProcess } from './processes.js';
import { FatalWaitError, waitFor } from './wait.js';

export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc';

export interface KubeApiServerOptions {
  readonly pki: ControlPlanePki;
  readonly etcdUrl: string;
  /** Where kube-apiserver's own files go (admission config, --cert-dir). */
  readonly dir: string;
  /** Appended after the harness's flags; for a repeated scalar flag the last one wins. */
  readonly extraArgs?: readonly string[];
  readonly startupTimeoutMs?: number;
}

export interface RunningKubeApiServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly args: readonly string[];
  readonly process: SupervisedProcess;
}

/**
 * The admission plugins: kube-apiserver's defaults (none of which calls out anywhere unless
 * somebody creates a webhook or policy configuration) plus NodeRestriction, which belongs with
 * the Node authorizer. The config file only pins PodSecurity to "privileged" so that no test
 * object is rejected, or warned about, unless its namespace opts in with labels.
 */
function admissionConfiguration(): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: {
            enforce: 'privileged',
            'enforce-version': 'latest',
            audit: 'privileged',
            'audit-version': 'latest',
            warn: 'privileged',
            'warn-version': 'latest',
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
        },
      },
    ],
  });
}

/** Starts kube-apiserver on 127.0.0.1 and resolves once /readyz says ok. */
export function startKubeApiServer(
  group: ProcessGroup,
  options: KubeApiServerOptions,
): Promise<RunningKubeApiServer> {
  return retryOnPortConflict(() => startKubeApiServerOnce(group, options));
}

async function startKubeApiServerOnce(
  group: ProcessGroup,
  options: KubeApiServerOptions,
): Promise<RunningKubeApiServer> {
  const { pki, dir } = options;
  mkdirSync(join(dir, 'certs'), { recursive: true, mode: 0o700 });
  const admissionFile = join(dir, 'admission.yaml');
  writeFileSync(admissionFile, admissionConfiguration());
  const [port] = await freePorts(1);
  const url = `https://127.0.0.1:${port}`;
  const args = [
    // Network: loopback only.
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'certs')}`,
    `--tls-cert-file=${pki.apiServerServing.certFile}`,
    `--tls-private-key-file=${pki.apiServerServing.keyFile}`,
    // Storage.
    `--etcd-servers=${options.etcdUrl}`,
    // Authentication: client certificates of the cluster CA, service account tokens, and the
    // front proxy (the aggregator's own identity towards aggregated servers).
    `--client-ca-file=${pki.clusterCa.certFile}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccount.publicKeyFile}`,
    `--service-account-signing-key-file=${pki.serviceAccount.privateKeyFile}`,
    `--requestheader-client-ca-file=${pki.frontProxyCa.certFile}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    '--requestheader-uid-headers=X-Remote-Uid',
    `--proxy-client-cert-file=${pki.frontProxyClient.certFile}`,
    `--proxy-client-key-file=${pki.frontProxyClient.keyFile}`,
    // Authorization.
    '--authorization-mode=Node,RBAC',
    // Aggregation: dial the Service (cluster IP or ExternalName), not endpoint IPs.
    '--enable-aggregator-routing=false',
    // Services and admission.
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=true',
    '--enable-admission-plugins=NodeRestriction',
    `--admission-control-config-file=${admissionFile}`,
    // The lease reconciler would publish 127.0.0.1 as the `kubernetes` Service's endpoint, which
    // Endpoints validation rejects (loopback), logging an error every 10 s. The Service itself
    // is still created; nothing here runs pods that would dial it.
    '--endpoint-reconciler-type=none',
    // Less work on a small machine.
    '--profiling=false',
    ...(options.extraArgs ?? []),
  ];
  const supervised = group.start({ name: 'kube-apiserver', command: k8sTool('kube-apiserver'), args });
  const tls = { ca: pki.clusterCa.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
  let lastBody = '';
  try {
    await waitFor(
      async () => {
        supervised.assertRunning();
        const response = await request(`${url}/readyz?verbose`, { ...tls, timeoutMs: 5_000 });
        lastBody = response.body;
        return response.status === 200;
      },
      'kube-apiserver /readyz',
      options.startupTimeoutMs ?? 90_000,
      { intervalMs: 250 },
    );
  } catch (error) {
    if (error instanceof FatalWaitError) throw error; // it exited; the error has its log tail
    const failing = lastBody
      .split('\n')
      .filter((line) => line.startsWith('[-]'))
      .join('\n');
    throw new Error(
      `${(error as Error).message}\nfailing checks:\n${failing || '(none reported)'}\n` +
        `log ${supervised.logFile} ends with:\n${supervised.logTail()}`,
      { cause: error },
    );
  }
  return { url, port, args, process: supervised };
}
