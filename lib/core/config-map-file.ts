import { createHash } from 'node:crypto';
import type { AggregatedApiServerConfig } from './config.js';
import type { Manifest, V1ConfigMap, V1Volume, V1VolumeMount } from './k8s-types.js';
import { objectLabels } from './labels.js';

/**
 * A file the server reads at startup, rendered into a ConfigMap of its own and mounted read-only
 * into the server container (the resource definitions, the audit policy). The server reads it
 * once, so a pod template annotation with its checksum rolls the pods when it changes.
 */
export interface ConfigMapFile {
  /** The ConfigMap's name. */
  readonly configMapName: string;
  /** The pod volume's name. */
  readonly volumeName: string;
  /** Where the volume is mounted. */
  readonly mountPath: string;
  /** The ConfigMap key, and so the file name. */
  readonly key: string;
  /** The pod template annotation holding the file's checksum. */
  readonly checksumAnnotation: string;
  /** The file's content. */
  readonly content: string;
}

/** The file's path in the server container: what the server's flag names. */
export function configMapFilePath(file: ConfigMapFile): string {
  return `${file.mountPath}/${file.key}`;
}

/** The ConfigMap holding the file. */
export function configMapOfFile(
  config: AggregatedApiServerConfig,
  file: ConfigMapFile,
): Manifest<V1ConfigMap> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: file.configMapName,
      namespace: config.namespace,
      labels: objectLabels(config, 'apiserver'),
    },
    data: { [file.key]: file.content },
  };
}

/** The pod volume of the ConfigMap. */
export function configMapFileVolume(file: ConfigMapFile): V1Volume {
  return { name: file.volumeName, configMap: { name: file.configMapName } };
}

/** The container's read-only mount of the volume. */
export function configMapFileMount(file: ConfigMapFile): V1VolumeMount {
  return { name: file.volumeName, mountPath: file.mountPath, readOnly: true };
}

/** The pod template annotation with the file's checksum (sha256, hex). */
export function configMapFileChecksum(file: ConfigMapFile): Record<string, string> {
  return { [file.checksumAnnotation]: createHash('sha256').update(file.content).digest('hex') };
}
