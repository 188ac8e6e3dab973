import * as pulumi from '@pulumi/pulumi';
import type { AnyManifest } from '../../core/index.js';
import type { RegisteredResource } from './resource-recorder.js';

/** Whether a resource is a Kubernetes object (not the kubernetes provider, not a component). */
export function isKubernetesObject(resource: RegisteredResource): boolean {
  return resource.custom && resource.type.startsWith('kubernetes:');
}

/**
 * The Kubernetes objects a program under mocks would apply, as plain objects (the inputs
 * pulumi-kubernetes sends, secrets unwrapped: a Secret's data is in it), in an order that
 * respects every recorded dependency, as `pulumi up` would create them. Among objects free to
 * go in any order, a Namespace comes first and an APIService last (an APIService whose backend
 * does not exist yet breaks discovery), then by URN, so the order is reproducible.
 */
export function kubernetesObjects(resources: readonly RegisteredResource[]): AnyManifest[] {
  return applyOrder(resources)
    .filter(isKubernetesObject)
    .map((r) => unwrapSecrets(r.inputs) as unknown as AnyManifest);
}

function applyOrder(resources: readonly RegisteredResource[]): RegisteredResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const blockers = new Map(
    resources.map((r) => [r.urn, new Set(r.dependencies.filter((d) => byUrn.has(d) && d !== r.urn))]),
  );
  const rank = (r: RegisteredResource) =>
    r.type.endsWith(':Namespace') ? 0 : r.type.endsWith(':APIService') ? 2 : 1;
  const ordered: RegisteredResource[] = [];
  const pending = [...resources];
  while (pending.length > 0) {
    const ready = pending
      .filter((r) => blockers.get(r.urn)?.size === 0)
      .sort((a, b) => rank(a) - rank(b) || a.urn.localeCompare(b.urn));
    if (ready.length === 0) {
      throw new Error(`dependency cycle among ${pending.map((r) => r.urn).join(', ')}`);
    }
    const next = ready[0];
    ordered.push(next);
    pending.splice(pending.indexOf(next), 1);
    for (const deps of blockers.values()) deps.delete(next.urn);
  }
  return ordered;
}

/** A wire value with every secret wrapper replaced by its value. */
export function unwrapSecrets(value: unknown): unknown {
  if (pulumi.runtime.isRpcSecret(value)) return unwrapSecrets(pulumi.runtime.unwrapRpcSecret(value));
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}
