import type { KubeList, KubeObject } from '../../api/types.js';
import type { ResourceVersion } from '../../api/resource-definition.js';
import { humanDuration } from '../util/duration.js';

/** Options of a Table response (`includeObject` of meta/v1 TableOptions). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

function partialMetadata(object: KubeObject, metaVersion: string): KubeObject {
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'PartialObjectMetadata',
    metadata: object.metadata,
  };
}

export function toPartialObjectMetadata(object: KubeObject, metaVersion: string): KubeObject {
  return partialMetadata(object, metaVersion);
}

export function toPartialObjectMetadataList(list: KubeList, metaVersion: string): KubeList {
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'PartialObjectMetadataList',
    metadata: list.metadata,
    items: list.items.map((o) => partialMetadata(o, metaVersion)),
  };
}

function cellValue(value: string | number | boolean | undefined, type: string, now: number): unknown {
  if (value === undefined) return '<none>';
  if (type === 'date' && typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? '<invalid>' : humanDuration(now - at);
  }
  return value;
}

/**
 * The meta.k8s.io Table that `kubectl get` renders: NAME, then the version's columns, dates as
 * ages, with each row carrying the object (or its metadata) as `includeObject` asks.
 */
export function toTable(
  objects: readonly KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  version: ResourceVersion,
  metaVersion: string,
  includeObject: IncludeObject,
  now = Date.now(),
): Record<string, unknown> {
  const columnDefinitions = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    },
    ...version.columns.map(({ name, type, format, description, priority }) => ({
      name,
      type: type === 'date' ? 'string' : type,
      format: format ?? (type === 'date' ? 'date' : ''),
      description,
      priority,
    })),
  ];
  const rowObject = (object: KubeObject): unknown => {
    if (includeObject === 'None') return undefined;
    if (includeObject === 'Object') return object;
    return partialMetadata(object, metaVersion);
  };
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'Table',
    metadata: listMeta,
    columnDefinitions,
    rows: objects.map((object) => ({
      cells: [object.metadata.name, ...version.columns.map((c) => cellValue(c.cell(object), c.type, now))],
      object: rowObject(object),
    })),
  };
}
