import type { V1PodSecurityContext, V1SecurityContext } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';

/**
 * Pod-level secure defaults (Pod Security Standards "restricted"): a fixed non-root UID/GID, the
 * volume group set to it, RuntimeDefault seccomp. `OnRootMismatch` skips re-chowning a volume
 * that already has the right owner (fast restarts with large etcd volumes).
 */
export function podSecurityContext(
  config: Pick<AggregatedApiServerConfig, 'runAsUser'>,
): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: config.runAsUser,
    runAsGroup: config.runAsUser,
    fsGroup: config.runAsUser,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level secure defaults: read-only root filesystem, no privileges, no capabilities. */
export function containerSecurityContext(): V1SecurityContext {
  return {
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  };
}
