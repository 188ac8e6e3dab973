import type { AggregatedApiServerConfig } from './config.js';
import { configMapFilePath, configMapOfFile, type ConfigMapFile } from './config-map-file.js';
import type { Manifest, V1ConfigMap } from './k8s-types.js';
import { objectNames } from './names.js';

/** Where the declarative definitions are mounted in the server container. */
export const RESOURCE_DEFINITIONS_DIR = '/etc/aggregated-apiserver/resource-definitions';
/** Their ConfigMap key and file name. */
export const RESOURCE_DEFINITIONS_KEY = 'resources.json';
/** Pod template annotation with their checksum: a changed definition rolls the pods. */
export const RESOURCE_DEFINITIONS_CHECKSUM_ANNOTATION = 'checksum/resource-definitions';

/**
 * The declarative definitions the stock image serves (`--resource-definitions`), as a file from
 * a ConfigMap; undefined when there are none (see AggregatedApiServerConfig.declarativeResources).
 */
export function resourceDefinitionsFile(config: AggregatedApiServerConfig): ConfigMapFile | undefined {
  if (config.declarativeResources === undefined) return undefined;
  return {
    configMapName: objectNames(config).resourceDefinitions,
    volumeName: 'resource-definitions',
    mountPath: RESOURCE_DEFINITIONS_DIR,
    key: RESOURCE_DEFINITIONS_KEY,
    checksumAnnotation: RESOURCE_DEFINITIONS_CHECKSUM_ANNOTATION,
    content: config.declarativeResources,
  };
}

/** The ConfigMap of the declarative definitions. */
export function resourceDefinitionsConfigMap(
  config: AggregatedApiServerConfig,
): Manifest<V1ConfigMap> | undefined {
  const file = resourceDefinitionsFile(config);
  return file && configMapOfFile(config, file);
}

/**
 * What the server serves, as its flags: exactly the resources of the deployment
 * (`--resources`), the declarative ones from the mounted file, and none of the stock image's
 * controllers whose resource it does not serve.
 */
export function resourceArgs(config: AggregatedApiServerConfig): string[] {
  const file = resourceDefinitionsFile(config);
  return [
    `--resources=${config.resources.map((r) => r.name).join(',')}`,
    ...(file ? [`--resource-definitions=${configMapFilePath(file)}`] : []),
    ...(config.disabledControllers.length > 0
      ? [`--controllers=${['*', ...config.disabledControllers.map((c) => `-${c}`)].join(',')}`]
      : []),
  ];
}
