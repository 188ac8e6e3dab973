import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** How a kubeconfig user authenticates: a client certificate or a bearer token. */
export type KubeconfigCredentials =
  { readonly certPem: string; readonly keyPem: string } | { readonly token: string };

export interface KubeconfigOptions {
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  readonly server: string;
  /** The CA that signed the server's serving certificate. */
  readonly caPem: string;
  readonly credentials: KubeconfigCredentials;
  /** Names the cluster, user and context (default "e2e"). */
  readonly name?: string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A self-contained kubeconfig (certificates embedded as *-data). */
export function kubeconfigYaml(options: KubeconfigOptions): string {
  const name = options.name ?? 'e2e';
  const credentials = options.credentials;
  const user =
    'token' in credentials
      ? { token: credentials.token }
      : {
          'client-certificate-data': b64(credentials.certPem),
          'client-key-data': b64(credentials.keyPem),
        };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server: options.server, 'certificate-authority-data': b64(options.caPem) } },
    ],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes a kubeconfig (mode 0600, it holds credentials) and returns its path. */
export function writeKubeconfig(path: string, options: KubeconfigOptions): string {
  writeFileSync(path, kubeconfigYaml(options), { mode: 0o600 });
  return path;
}
