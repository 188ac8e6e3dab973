import { metricSnapshotResource } from './metricsnapshot/index.js';
import type { ResourceDefinition } from './resource-definition.js';

/** Every resource this server serves. Adding a resource type means adding its folder and a line here. */
export const servedResources: readonly ResourceDefinition[] = [metricSnapshotResource];

export type {
  ResourceDefinition,
  ResourceVersion,
  ResourceStrategy,
  TableColumn,
} from './resource-definition.js';
