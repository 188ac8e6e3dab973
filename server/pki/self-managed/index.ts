import { loadKubeConfig } from '../../auth/delegated/kube-client.js';
import { FlagError } from '../../options/flag-parser.js';
import type { ServerFlags } from '../../options/server-flags.js';
import type { Logger } from '../../util/logger.js';
import { ensureEtcdPki } from './etcd-pki.js';
import { startSelfManagedTls, type SelfManagedTls } from './self-managed-tls.js';

export type { SelfManagedTls } from './self-managed-tls.js';

/**
 * What the server makes of its own certificates, as the flags ask: first the dedicated etcd's
 * PKI (`--self-managed-etcd-tls-secret`; this points `--etcd-cafile/certfile/keyfile` at the
 * files it writes), then the serving certificate (`--self-managed-tls-secret`), started and in
 * place; undefined when the flags ask for no serving certificate. Files go to `--cert-dir`;
 * mount an in-memory volume there. Runs before storage is opened.
 */
export async function selfManagedServing(
  flags: ServerFlags,
  log: Logger,
): Promise<SelfManagedTls | undefined> {
  if (flags.selfManagedEtcdTlsSecret) {
    const etcd = secretRef('--self-managed-etcd-tls-secret', flags.selfManagedEtcdTlsSecret);
    if (flags.etcdCafile || flags.etcdCertfile || flags.etcdKeyfile) {
      throw new FlagError(
        '--self-managed-etcd-tls-secret cannot be combined with --etcd-cafile, --etcd-certfile or --etcd-keyfile',
      );
    }
    if (flags.selfManagedEtcdTlsMemberHosts.length === 0) {
      throw new FlagError(
        "--self-managed-etcd-tls-member-hosts must name what the members' certificate covers",
      );
    }
    const files = await ensureEtcdPki({
      kubeConfig: loadKubeConfig(flags.kubeconfig, { flagName: '--kubeconfig' }),
      secretNamespace: etcd.namespace,
      secretName: etcd.name,
      memberHosts: flags.selfManagedEtcdTlsMemberHosts,
      validityMs: flags.selfManagedTlsCaValidity,
      certDir: flags.certDir,
      log,
    });
    flags.etcdCafile = files.caFile;
    flags.etcdCertfile = files.certFile;
    flags.etcdKeyfile = files.keyFile;
  }
  if (!flags.selfManagedTlsSecret) return undefined;
  const { namespace, name } = secretRef('--self-managed-tls-secret', flags.selfManagedTlsSecret);
  if (flags.tlsCertFile || flags.tlsPrivateKeyFile) {
    throw new FlagError(
      '--self-managed-tls-secret cannot be combined with --tls-cert-file or --tls-private-key-file',
    );
  }
  if (flags.selfManagedTlsHosts.length === 0) {
    throw new FlagError(
      '--self-managed-tls-hosts must name what the certificate covers, e.g. <service>.<namespace>.svc',
    );
  }
  if (flags.selfManagedTlsSyncPeriod <= 0) {
    throw new FlagError('--self-managed-tls-sync-period must be longer than 0');
  }
  if (flags.selfManagedTlsRotationOverlap <= flags.selfManagedTlsSyncPeriod) {
    throw new FlagError(
      '--self-managed-tls-rotation-overlap must be longer than --self-managed-tls-sync-period: every replica must see each rotation step before the next one',
    );
  }
  if (flags.selfManagedTlsValidity <= 0 || flags.selfManagedTlsCaValidity < flags.selfManagedTlsValidity) {
    throw new FlagError(
      '--self-managed-tls-ca-validity must be at least --self-managed-tls-validity, and both longer than 0',
    );
  }
  return startSelfManagedTls({
    kubeConfig: loadKubeConfig(flags.kubeconfig, { flagName: '--kubeconfig' }),
    objects: { secretNamespace: namespace, secretName: name, apiServices: flags.selfManagedTlsApiservices },
    policy: {
      hosts: flags.selfManagedTlsHosts,
      caCommonName: `${namespace}/${name} aggregated API server CA`,
      caValidityMs: flags.selfManagedTlsCaValidity,
      servingValidityMs: flags.selfManagedTlsValidity,
      overlapMs: flags.selfManagedTlsRotationOverlap,
    },
    certDir: flags.certDir,
    syncPeriodMs: flags.selfManagedTlsSyncPeriod,
    log,
  });
}

/** `<namespace>/<name>` of a Secret, from a flag. */
function secretRef(flag: string, value: string): { namespace: string; name: string } {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!match) throw new FlagError(`${flag}: "${value}" must be <namespace>/<name> of a Secret`);
  return { namespace: match[1], name: match[3] };
}
