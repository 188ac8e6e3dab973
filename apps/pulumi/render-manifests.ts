/**
 * Writes the Kubernetes objects the seed Pulumi program (apps/pulumi/index.ts) would apply, as
 * YAML in apply order (namespace first, APIServices last), without a cluster or the Pulumi CLI:
 * the program runs under mocks whose tls provider mints real keys and certificates, so the Secret
 * and the caBundle work against a real kube-apiserver. The end-to-end suite deploys this way.
 *
 *   npx tsx apps/pulumi/render-manifests.ts <outDir>
 *
 * Honours the environment of apps/cdk8s (AGGREGATED_APISERVER_EXTERNAL_ADDRESS, _IMAGE,
 * _EXTRA_SANS). Each run is a fresh stack, so it mints new certificates; with
 * AGGREGATED_APISERVER_PKI_DIR set, the CA and the serving pair are also written there as ca.crt,
 * tls.crt and tls.key (like the cdk8s key store), for a server process run outside the cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { KeyStore } from '../../lib/cdk8s/key-store.js';
import type { AnyManifest } from '../../lib/core/index.js';
import { kubernetesObjects, runUnderMocks } from '../../lib/pulumi/testing/index.js';

/** The file the objects are written to. */
export const MANIFEST_FILE = 'aggregated-apiserver.k8s.yaml';

const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: npx tsx apps/pulumi/render-manifests.ts <outDir>\n');
  process.exit(2);
}

const { resources } = await runUnderMocks(() => import('./index.js'));
const objects = kubernetesObjects(resources);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, MANIFEST_FILE);
// lineWidth 0: base64 data and PEMs stay on one line, as kubectl writes them.
writeFileSync(file, objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
process.stderr.write(`wrote ${objects.length} objects to ${file}\n`);

const pkiDir = process.env.AGGREGATED_APISERVER_PKI_DIR;
if (pkiDir) {
  const store = new KeyStore(resolve(pkiDir));
  const data = servingSecretData(objects);
  store.write('ca.crt', decode(data['ca.crt']));
  store.write('tls.crt', decode(data['tls.crt']));
  store.write('tls.key', decode(data['tls.key']));
  process.stderr.write(`wrote ca.crt, tls.crt and tls.key to ${store.dir}\n`);
}

function servingSecretData(manifests: readonly AnyManifest[]): Record<string, string> {
  const secret = manifests.find((m) => m.kind === 'Secret' && 'type' in m && m.type === 'kubernetes.io/tls');
  if (!secret || !('data' in secret)) throw new Error('the program rendered no kubernetes.io/tls Secret');
  return secret.data as Record<string, string>;
}

function decode(base64: string | undefined): string {
  if (base64 === undefined) throw new Error('the serving Secret lacks ca.crt, tls.crt or tls.key');
  return Buffer.from(base64, 'base64').toString('utf8');
}
