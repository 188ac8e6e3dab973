import type { AggregatedApiServerConfig } from './config.js';
import type { AnyManifest } from './k8s-types.js';
import { OBJECT_ROLES, type ObjectRoleEntry, type ObjectRoleKey } from './object-roles.js';
import type { TlsMaterial } from './tls-material.js';

/** Every object of a deployment, by role (see OBJECT_ROLES). Absent roles do not apply to the options. */
export type AggregatedApiServerManifests = {
  -readonly [E in ObjectRoleEntry as E['key']]: ReturnType<E['render']>;
};

/**
 * Renders every object of a deployment as plain Kubernetes JSON: the one source of truth the
 * cdk8s construct and a Pulumi component realize, role by role.
 *
 * @param material the serving certificate, key and CA, required in the generated and provided
 *   TLS modes (cdk8s generates them at synth time, Pulumi with @pulumi/tls) and ignored otherwise
 */
export function renderManifests(
  config: AggregatedApiServerConfig,
  material?: TlsMaterial,
): AggregatedApiServerManifests {
  const withMaterial = config.tls.mode === 'generated' || config.tls.mode === 'provided';
  if (withMaterial && !material) {
    throw new Error(`tls mode "${config.tls.mode}" needs the serving certificate, key and CA to render`);
  }
  const context = { config, material: withMaterial ? material : undefined };
  const manifests: Record<string, unknown> = {};
  for (const role of OBJECT_ROLES) manifests[role.key] = withoutUndefined(role.render(context));
  return manifests as AggregatedApiServerManifests;
}

/** One rendered object with the role it plays. */
export interface RoleObject {
  readonly role: ObjectRoleEntry;
  readonly manifest: AnyManifest;
}

/**
 * The objects with their roles, in apply order: namespace, identity and RBAC, TLS, storage,
 * workload, Service, and the APIServices last (an APIService whose backend is not there yet
 * breaks discovery).
 */
export function roleObjects(manifests: AggregatedApiServerManifests): RoleObject[] {
  return OBJECT_ROLES.flatMap((role) => {
    const rendered = manifests[role.key] as AnyManifest | readonly AnyManifest[] | undefined;
    const list: readonly AnyManifest[] =
      rendered === undefined ? [] : isList(rendered) ? rendered : [rendered];
    return list.map((manifest) => ({ role, manifest }));
  });
}

/** The objects in apply order (see roleObjects). */
export function manifestList(manifests: AggregatedApiServerManifests): AnyManifest[] {
  return roleObjects(manifests).map((o) => o.manifest);
}

/** The objects of one role, as a list. */
export function objectsOf(manifests: AggregatedApiServerManifests, key: ObjectRoleKey): AnyManifest[] {
  const rendered = manifests[key] as AnyManifest | readonly AnyManifest[] | undefined;
  return rendered === undefined ? [] : isList(rendered) ? [...rendered] : [rendered];
}

function isList(value: AnyManifest | readonly AnyManifest[]): value is readonly AnyManifest[] {
  return Array.isArray(value);
}

/** A deep copy without `undefined` values (what JSON serialization would keep). */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) result[k] = withoutUndefined(v);
    }
    return result as T;
  }
  return value;
}
