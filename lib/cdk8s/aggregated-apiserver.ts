import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import {
  type AggregatedApiServerConfig,
  type AggregatedApiServerManifests,
  isClusterScoped,
  type ObjectRoleEntry,
  renderManifests,
  resolveConfig,
  roleObjects,
  type TlsMaterial,
} from '../core/index.js';
import { metadataOf } from './metadata.js';
import type { AggregatedApiServerProps } from './props.js';
import { servingMaterial } from './serving-material.js';

/**
 * The synthesized objects by role (see lib/core's OBJECT_ROLES): one ApiObject, undefined when
 * the role does not apply to the props, or a list (the APIServices).
 */
export type Cdk8sObjects = {
  readonly [E in ObjectRoleEntry as E['key']]: ReturnType<E['render']> extends readonly unknown[]
    ? readonly ApiObject[]
    : undefined extends ReturnType<E['render']>
      ? ApiObject | undefined
      : ApiObject;
};

/**
 * An aggregated API server, deployed securely and registered with the Kubernetes aggregator:
 * namespace (restricted Pod Security), ServiceAccount (token mounted) and RBAC for delegated
 * authentication and authorization, user-facing roles aggregated into view/edit/admin, the serving
 * certificate (self-managed by the server by default), storage (a dedicated etcd, your etcd, or an
 * embedded volume), the Deployment, its Service and PodDisruptionBudget, and one APIService per
 * served version, synthesized last.
 *
 * What gets deployed is decided by lib/core, role by role (OBJECT_ROLES: the objects a Pulumi
 * component renders too); this construct synthesizes each object exactly as rendered, as an
 * ApiObject. Every object is in `objects` for escape hatches (`metadata.addAnnotation`,
 * `addJsonPatch`).
 *
 * @example
 * import { metricSnapshot } from 'aggregated-apiserver/metricsnapshot';
 * new AggregatedApiServer(chart, 'Metrics', { name: 'custom-apiserver', resources: [metricSnapshot] });
 */
export class AggregatedApiServer extends Construct {
  /** The props, validated and with every default applied. */
  public readonly config: AggregatedApiServerConfig;
  /** The plain objects lib/core rendered, which `objects` synthesize. */
  public readonly manifests: AggregatedApiServerManifests;
  /**
   * The serving certificate, its key and CA (generated and provided TLS modes). The same values
   * are in the serving Secret; the CA is the APIServices' caBundle.
   */
  public readonly tlsMaterial?: TlsMaterial;
  /** Absolute path of the key store (generated TLS mode). */
  public readonly keyStoreDir?: string;
  /** Every object, by role. */
  public readonly objects: Cdk8sObjects;

  /**
   * @throws AggregatedApiServerConfigError listing every problem of the props
   */
  constructor(scope: Construct, id: string, props: AggregatedApiServerProps) {
    super(scope, id);
    const chartNamespace = Chart.of(this).namespace;
    const { tls, logger, ...options } = props;
    const config = resolveConfig({ ...options, namespace: props.namespace ?? chartNamespace, tls });
    this.config = config;
    const { material, keyStoreDir } = servingMaterial(config, tls, logger);
    this.tlsMaterial = material;
    this.keyStoreDir = keyStoreDir;
    this.manifests = renderManifests(config, material);

    const objects: Record<string, ApiObject | ApiObject[] | undefined> = {};
    const ordered: ApiObject[] = [];
    const servingApi: ApiObject[] = [];
    for (const { role, manifest } of roleObjects(this.manifests)) {
      const many = role.key === 'apiServices';
      const object = new ApiObject(this, many ? `${role.id}-${manifest.metadata.name}` : role.id, {
        ...manifest,
        metadata: metadataOf(manifest.metadata),
      });
      // cdk8s stamps a Chart's namespace onto every object, cluster-scoped or not
      // (cdk8s-team/cdk8s-core#731); kubectl then refuses or ignores it depending on its version.
      if (isClusterScoped(manifest) && object.metadata.namespace !== undefined) {
        object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
      // Synthesized in lib/core's apply order.
      if (ordered.length > 0) object.addDependency(ordered[ordered.length - 1]);
      ordered.push(object);
      if (role.servesApi) servingApi.push(object);
      if (many) objects[role.key] = [...((objects[role.key] as ApiObject[] | undefined) ?? []), object];
      else objects[role.key] = object;
    }
    // An APIService whose backend is missing makes discovery fail for every client of the cluster.
    for (const apiService of (objects.apiServices as ApiObject[] | undefined) ?? []) {
      apiService.addDependency(...servingApi);
    }
    objects.apiServices ??= [];
    this.objects = objects as unknown as Cdk8sObjects;
  }
}
