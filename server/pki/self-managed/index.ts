import { loadKubeConfig } from '../../auth/delegated/kube-client.js';
import { FlagError } from '../../options/flag-parser.js';
import type { ServerFlags } from '../../options/server-flags.js';
import type { Logger } from '../../util/logger.js';
import { startSelfManagedTls, type SelfManagedTls } from './self-managed-tls.js';

export type { SelfManagedTls } from './self-managed-tls.js';

/**
 * The self-managed serving certificate the flags ask for (`--self-managed-tls-secret`), started
 * and in place, or undefined when the flags do not ask for one. The pair is written to
 * `--cert-dir`; mount an in-memory volume there.
 */
export async function selfManagedServing(
  flags: ServerFlags,
  log: Logger,
): Promise<SelfManagedTls | undefined> {
  if (!flags.selfManagedTlsSecret) return undefined;
  const ref = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(
    flags.selfManagedTlsSecret,
  );
  if (!ref) {
    throw new FlagError(
      `--self-managed-tls-secret: "${flags.selfManagedTlsSecret}" must be <namespace>/<name> of a Secret`,
    );
  }
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
  const [, namespace, , name] = ref;
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
