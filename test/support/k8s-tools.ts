import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory of the pinned, Go-built Kubernetes components (kubectl, kube-apiserver,
 * kube-controller-manager, etcd). Tests that need them fail loudly when they are missing:
 * run `bash scripts/build-k8s-tools.sh` (CI does).
 */
export function k8sToolsBin(): string {
  const fromEnv = process.env.AGGREGATED_APISERVER_TOOLS_BIN;
  const dir =
    fromEnv ||
    execFileSync('bash', [join(process.cwd(), 'scripts/k8s-tools-path.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() ||
    '';
  return dir;
}

export function k8sTool(
  name: 'kubectl' | 'kube-apiserver' | 'kube-controller-manager' | 'etcd' | 'etcdctl',
): string {
  const path = join(k8sToolsBin(), name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} is missing at ${path}: build the pinned Kubernetes components with 'bash scripts/build-k8s-tools.sh'`,
    );
  }
  return path;
}
