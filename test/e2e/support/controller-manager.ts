import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { k8sTool } from '../../support/k8s-tools.js';
import { request } from './http.js';
import { writeKubeconfig } from './kubeconfig.js';
import type { ControlPlanePki } from './pki.js';
import { freePorts, retryOnPortConflict } from '../../support/ports.js';
import type { ProcessGroup, SupervisedProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * The controllers a kubelet-less, cloud-less control plane can run usefully:
 * - namespace, garbage collector: namespace deletion and ownerReference cascades;
 * - serviceaccount (the `default` ServiceAccount of every namespace), serviceaccount-token
 *   (legacy token Secrets) and root-ca-certificate-publisher (`kube-root-ca.crt`);
 * - clusterrole-aggregation: aggregate-to-view/edit/admin ClusterRoles, which aggregated API
 *   servers use to extend the user-facing roles;
 * - resourcequota, endpoints, endpointslice, endpointslice-mirroring: Service plumbing that
 *   works without nodes (a Service without selector plus manual EndpointSlices).
 * Left out: everything that needs nodes, pods actually running or a cloud (node-*, daemonset,
 * statefulset, deployment/replicaset/job pods would stay Pending, persistentvolume-*,
 * service-lb, ttl, taint-eviction, certificatesigningrequest-signing needs CA files, ...).
 */
export const DEFAULT_CONTROLLERS: readonly string[] = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'resourcequota-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
];

export interface ControllerManagerOptions {
  readonly pki: ControlPlanePki;
  /** kube-apiserver's URL. */
  readonly server: string;
  /** Where its kubeconfig goes. */
  readonly dir: string;
  readonly controllers?: readonly string[];
  /** Appended after the harness's flags; for a repeated scalar flag the last one wins. */
  readonly extraArgs?: readonly string[];
  readonly startupTimeoutMs?: number;
}

export interface RunningControllerManager {
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly args: readonly string[];
  readonly process: SupervisedProcess;
}

/** Starts kube-controller-manager and resolves once its /healthz says ok. */
export function startControllerManager(
  group: ProcessGroup,
  options: ControllerManagerOptions,
): Promise<RunningControllerManager> {
  return retryOnPortConflict(() => startControllerManagerOnce(group, options));
}

async function startControllerManagerOnce(
  group: ProcessGroup,
  options: ControllerManagerOptions,
): Promise<RunningControllerManager> {
  const { pki, dir } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kubeconfigPath = writeKubeconfig(join(dir, 'controller-manager.kubeconfig'), {
    server: options.server,
    caPem: pki.clusterCa.certPem,
    credentials: pki.controllerManagerClient,
    name: 'kube-controller-manager',
  });
  const [port] = await freePorts(1);
  const args = [
    `--kubeconfig=${kubeconfigPath}`,
    // Its own secure port authenticates and authorizes through kube-apiserver, like kubeadm's.
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    `--client-ca-file=${pki.clusterCa.certFile}`,
    `--requestheader-client-ca-file=${pki.frontProxyCa.certFile}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${pki.controllerManagerServing.certFile}`,
    `--tls-private-key-file=${pki.controllerManagerServing.keyFile}`,
    `--service-account-private-key-file=${pki.serviceAccount.privateKeyFile}`,
    `--root-ca-file=${pki.clusterCa.certFile}`,
    '--use-service-account-credentials=true',
    `--controllers=${(options.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
    '--leader-elect=false',
    '--profiling=false',
    ...(options.extraArgs ?? []),
  ];
  const supervised = group.start({
    name: 'kube-controller-manager',
    command: k8sTool('kube-controller-manager'),
    args,
  });
  await waitFor(
    async () => {
      supervised.assertRunning();
      const response = await request(`https://127.0.0.1:${port}/healthz`, {
        ca: pki.clusterCa.certPem,
        timeoutMs: 2_000,
      });
      return response.status === 200;
    },
    `kube-controller-manager /healthz (log: ${supervised.logFile})`,
    options.startupTimeoutMs ?? 60_000,
  );
  return { port, kubeconfigPath, args, process: supervised };
}
