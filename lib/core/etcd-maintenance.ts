import type { AggregatedApiServerConfig, ResolvedStorage } from './config.js';
import { ETCD_TLS_DIR, ETCD_TLS_VOLUME_NAME, etcdctlArgs, etcdTlsVolume } from './etcd.js';
import type { Manifest, V1Container, V1CronJob, V1PersistentVolumeClaim, V1PodSpec } from './k8s-types.js';
import { objectLabels, selectorLabels } from './labels.js';
import { objectNames } from './names.js';
import { containerSecurityContext, podSecurityContext } from './security-context.js';
import { tolerations } from './scheduling.js';

/** Where the snapshot volume is mounted in the backup job. */
export const ETCD_BACKUP_DIR = '/backups';
/** Name of the snapshot volume. */
const BACKUP_VOLUME_NAME = 'backups';

type DedicatedEtcd = Extract<ResolvedStorage, { type: 'dedicated-etcd' }>;

function dedicated(config: AggregatedApiServerConfig): DedicatedEtcd | undefined {
  return config.storage.type === 'dedicated-etcd' ? config.storage : undefined;
}

/** The volume the snapshots are written to (backups enabled). */
export function etcdBackupClaim(
  config: AggregatedApiServerConfig,
): Manifest<V1PersistentVolumeClaim> | undefined {
  const backup = dedicated(config)?.backup;
  if (!backup) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: objectNames(config).etcdBackupClaim,
      namespace: config.namespace,
      labels: objectLabels(config, 'etcd-maintenance'),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: backup.size } },
      ...(backup.storageClassName ? { storageClassName: backup.storageClassName } : {}),
      volumeMode: 'Filesystem',
    },
  };
}

/**
 * Keeps the newest `keep` snapshots. Run by node in the server image, since the etcd image has no
 * shell; the snapshot names sort by time (they are the Job's pod names, which carry the
 * scheduled time).
 */
function pruneScript(keep: number): string {
  return [
    "const fs = require('fs');",
    `const dir = ${JSON.stringify(ETCD_BACKUP_DIR)};`,
    "const files = fs.readdirSync(dir).filter((f) => f.endsWith('.db'))",
    '  .map((f) => ({ f, t: fs.statSync(dir + "/" + f).mtimeMs })).sort((a, b) => b.t - a.t);',
    `for (const { f } of files.slice(${keep})) { fs.rmSync(dir + "/" + f); console.log("removed " + f); }`,
    "console.log('kept ' + Math.min(files.length, " + String(keep) + ") + ' snapshot(s)');",
  ].join('\n');
}

/**
 * A CronJob of the dedicated etcd's maintenance: never two at once, the last runs kept for
 * inspection, its pods as restricted as the members and admitted by the etcd NetworkPolicy.
 */
function maintenanceCronJob(
  config: AggregatedApiServerConfig,
  name: string,
  schedule: string,
  pod: Pick<V1PodSpec, 'initContainers' | 'containers' | 'volumes'>,
): Manifest<V1CronJob> {
  const tolerationList = tolerations(config);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: config.namespace, labels: objectLabels(config, 'etcd-maintenance') },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: {
              labels: {
                ...objectLabels(config, 'etcd-maintenance'),
                ...selectorLabels(config, 'etcd-maintenance'),
              },
            },
            spec: {
              restartPolicy: 'OnFailure',
              automountServiceAccountToken: false,
              securityContext: podSecurityContext(config),
              ...pod,
              ...(config.priorityClassName ? { priorityClassName: config.priorityClassName } : {}),
              ...(Object.keys(config.nodeSelector).length > 0
                ? { nodeSelector: { ...config.nodeSelector } }
                : {}),
              ...(tolerationList.length > 0 ? { tolerations: tolerationList } : {}),
            },
          },
        },
      },
    },
  };
}

function etcdctlContainer(config: AggregatedApiServerConfig, name: string, args: string[]): V1Container {
  const storage = dedicated(config);
  if (!storage) throw new Error('storage is not a dedicated etcd');
  return {
    name,
    image: storage.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['etcdctl'],
    args: [...etcdctlArgs(config), '--command-timeout=5m', ...args],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: containerSecurityContext(),
    volumeMounts: [
      ...(storage.tls ? [{ name: ETCD_TLS_VOLUME_NAME, mountPath: ETCD_TLS_DIR, readOnly: true }] : []),
      ...(name === 'snapshot' ? [{ name: BACKUP_VOLUME_NAME, mountPath: ETCD_BACKUP_DIR }] : []),
    ],
  };
}

/**
 * Scheduled snapshots: `etcdctl snapshot save` onto the snapshot volume (named after the Job's
 * pod, which carries the scheduled time), then the oldest beyond `keep` are removed.
 */
export function etcdBackupCronJob(config: AggregatedApiServerConfig): Manifest<V1CronJob> | undefined {
  const storage = dedicated(config);
  const backup = storage?.backup;
  if (!storage || !backup) return undefined;
  const names = objectNames(config);
  return maintenanceCronJob(config, names.etcdBackupCronJob, backup.schedule, {
    initContainers: [
      etcdctlContainer(config, 'snapshot', ['snapshot', 'save', `${ETCD_BACKUP_DIR}/$(POD_NAME).db`]),
    ],
    containers: [
      {
        name: 'prune',
        image: config.image,
        imagePullPolicy: config.imagePullPolicy,
        command: ['node', '-e', pruneScript(backup.keep)],
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: BACKUP_VOLUME_NAME, mountPath: ETCD_BACKUP_DIR }],
      },
    ],
    volumes: [
      { name: BACKUP_VOLUME_NAME, persistentVolumeClaim: { claimName: names.etcdBackupClaim } },
      ...(storage.tls ? [etcdTlsVolume(config)] : []),
    ],
  });
}

/** Scheduled `etcdctl defrag --cluster`: every member in turn returns freed space to the file system. */
export function etcdDefragmentationCronJob(
  config: AggregatedApiServerConfig,
): Manifest<V1CronJob> | undefined {
  const storage = dedicated(config);
  if (!storage?.defragmentationSchedule) return undefined;
  return maintenanceCronJob(
    config,
    objectNames(config).etcdDefragmentationCronJob,
    storage.defragmentationSchedule,
    {
      containers: [etcdctlContainer(config, 'defrag', ['defrag', '--cluster'])],
      ...(storage.tls ? { volumes: [etcdTlsVolume(config)] } : {}),
    },
  );
}
