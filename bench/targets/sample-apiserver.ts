import { join } from 'node:path';
import { freePorts } from '../../test/support/ports.js';
import { flunders } from './served-resource.js';
import { ServerTarget } from './server-target.js';
import { startTargetEtcd, targetDir, type TargetEnvironment } from './target-environment.js';

/**
 * k8s.io/sample-apiserver at the pinned Kubernetes version, on a fresh etcd, with the same
 * serving certificate and delegated authentication and authorization as this server (the
 * same system:masters kubeconfig for TokenReviews, SubjectAccessReviews and its informers),
 * and its defaults otherwise (watch cache, priority and fairness, admission).
 */
export async function startSampleApiServer(
  environment: TargetEnvironment,
  binary: string,
): Promise<ServerTarget> {
  const dir = targetDir(environment, 'sample-apiserver');
  const etcd = await startTargetEtcd(environment, dir);
  const { cluster } = environment;
  const [port] = await freePorts(1);
  const url = `https://127.0.0.1:${port}`;
  const resource = flunders(0);
  return ServerTarget.start(
    'sample-apiserver',
    resource,
    environment,
    {
      name: 'sample-apiserver',
      command: [
        binary,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${cluster.serving.certFile}`,
        `--tls-private-key-file=${cluster.serving.keyFile}`,
        `--etcd-servers=${etcd.clientUrl}`,
        `--kubeconfig=${cluster.kubeconfig}`,
        `--authentication-kubeconfig=${cluster.kubeconfig}`,
        `--authorization-kubeconfig=${cluster.kubeconfig}`,
      ],
      cpus: environment.cpus.server,
      url,
      caPem: cluster.serving.caPem,
      certPem: cluster.frontProxy.certPem,
      keyPem: cluster.frontProxy.keyPem,
      firstPagePath: `/apis/${resource.group}/${resource.version}/${resource.plural}?limit=500`,
    },
    etcd,
  );
}
