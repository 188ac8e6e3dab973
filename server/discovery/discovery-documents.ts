import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../../api/resource-definition.js';

const resourceVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const subresourceVerbs = ['get', 'patch', 'update'];

export interface ServedGroup {
  readonly name: string;
  /** Version names, most preferred first. */
  readonly versions: readonly string[];
  readonly resources: readonly ResourceDefinition[];
}

/** Groups the served resources by API group, keeping each group's version preference order. */
export function servedGroups(resources: readonly ResourceDefinition[]): ServedGroup[] {
  const groups = new Map<string, { versions: string[]; resources: ResourceDefinition[] }>();
  for (const resource of resources) {
    const group = groups.get(resource.group) ?? { versions: [], resources: [] };
    for (const version of resource.versions)
      if (!group.versions.includes(version.name)) group.versions.push(version.name);
    group.resources.push(resource);
    groups.set(resource.group, group);
  }
  return [...groups].map(([name, g]) => ({ name, versions: g.versions, resources: g.resources }));
}

/** The subresources a resource serves, with the kind each answers with. */
function subresourcesOf(
  r: ResourceDefinition,
  version: string,
): { name: string; group: string; version: string; kind: string }[] {
  return [
    ...(r.subresources.status ? [{ name: 'status', group: r.group, version, kind: r.kind }] : []),
    ...(r.subresources.scale ? [{ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }] : []),
  ];
}

function storageVersionHash(resource: ResourceDefinition): string {
  return createHash('sha256')
    .update(`${resource.group}/${resource.storageVersion}/${resource.kind}`)
    .digest('base64')
    .slice(0, 11);
}

export function apiGroup(group: ServedGroup): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(groups: readonly ServedGroup[]): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** The legacy APIResourceList kubectl and the aggregator read at `/apis/<group>/<version>`. */
export function apiResourceList(group: ServedGroup, version: string): Record<string, unknown> {
  const resources = group.resources
    .filter((r) => r.versions.some((v) => v.name === version))
    .flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: resourceVerbs,
        ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories?.length ? { categories: r.categories } : {}),
        storageVersionHash: storageVersionHash(r),
      },
      ...subresourcesOf(r, version).map((sub) => ({
        name: `${r.plural}/${sub.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(sub.group !== r.group ? { group: sub.group, version: sub.version } : {}),
        kind: sub.kind,
        verbs: subresourceVerbs,
      })),
    ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group.name}/${version}`, resources };
}

/** Aggregated discovery (apidiscovery.k8s.io v2 / v2beta1): every group, version and resource in one document. */
export function apiGroupDiscoveryList(
  groups: readonly ServedGroup[],
  discoveryVersion: 'v2' | 'v2beta1',
): Record<string, unknown> {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${discoveryVersion}`,
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group.name },
      versions: group.versions.map((version) => ({
        version,
        freshness: 'Current',
        resources: group.resources
          .filter((r) => r.versions.some((v) => v.name === version))
          .map((r) => {
            const responseKind = { group: r.group, version, kind: r.kind };
            return {
              resource: r.plural,
              responseKind,
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: resourceVerbs,
              ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
              ...(r.categories?.length ? { categories: r.categories } : {}),
              ...(r.subresources.status || r.subresources.scale
                ? {
                    subresources: subresourcesOf(r, version).map((sub) => ({
                      subresource: sub.name,
                      responseKind: { group: sub.group, version: sub.version, kind: sub.kind },
                      verbs: subresourceVerbs,
                    })),
                  }
                : {}),
            };
          }),
      })),
    })),
  };
}

export function apiVersions(): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: [],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
  };
}
