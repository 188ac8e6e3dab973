import type { V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule } from '@kubernetes/client-node';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct, type IConstruct } from 'constructs';
import {
  type AggregatedApiServerConfig,
  type AggregatedApiServerManifests,
  type AnyManifest,
  type Manifest,
  manifestList,
  renderManifests,
  resolveConfig,
  type TlsMaterial,
} from '../core/index.js';
import { CertManagerServingCertificate } from './cert-manager-certificate.js';
import { DedicatedEtcd } from './dedicated-etcd.js';
import { apiServiceProps, endpointSliceProps, podDisruptionBudgetProps, secretProps } from './kube-props.js';
import { clusterScoped, kubeQuantities, metadataOf, overlay } from './metadata.js';
import type { AggregatedApiServerProps } from './props.js';
import { servingMaterial } from './serving-material.js';
import { serviceFromManifest } from './service-from-manifest.js';
import { addContainers, podProps, podVolumes } from './workload.js';

/**
 * An aggregated API server, deployed securely and registered with the Kubernetes aggregator:
 * namespace, ServiceAccount (token mounted) and RBAC for delegated authentication and
 * authorization, user-facing roles aggregated into view/edit/admin, the serving certificate
 * (generated at synth time, provided, or issued by cert-manager), storage (embedded volume,
 * external etcd, or a dedicated etcd StatefulSet), the Deployment, its Service and
 * PodDisruptionBudget, and one APIService per served version, synthesized last.
 *
 * What gets deployed is decided by lib/core (the same objects a Pulumi component renders); this
 * construct realizes it with cdk8s-plus-27 and the bundled `k8s` classes. Every child is a
 * public property for escape hatches (`ApiObject.of(child).addJsonPatch(...)`).
 *
 * @example
 * new AggregatedApiServer(chart, 'Metrics', {
 *   name: 'custom-apiserver',
 *   resources: [{ group: 'metrics.example.com', versions: ['v1'], kind: 'MetricSnapshot', plural: 'metricsnapshots' }],
 * });
 */
export class AggregatedApiServer extends Construct {
  /** The props, validated and with every default applied. */
  public readonly config: AggregatedApiServerConfig;
  /** The plain objects lib/core rendered, which the children below realize. */
  public readonly manifests: AggregatedApiServerManifests;
  /**
   * The serving certificate, its key and CA (generated and provided TLS modes). The same values
   * are in the serving Secret; the CA is the APIServices' caBundle.
   */
  public readonly tlsMaterial?: TlsMaterial;
  /** Absolute path of the key store (generated TLS mode). */
  public readonly keyStoreDir?: string;

  /** The namespace (absent with createNamespace: false). */
  public readonly namespace?: kplus.Namespace;
  /** The server's ServiceAccount; its token is mounted. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** What the server itself may read (namespaces, plus serverRules). */
  public readonly serverClusterRole: kplus.ClusterRole;
  /** Binds serverClusterRole to the ServiceAccount. */
  public readonly serverClusterRoleBinding: kplus.ClusterRoleBinding;
  /** Binds system:auth-delegator (TokenReview, SubjectAccessReview) to the ServiceAccount. */
  public readonly authDelegatorBinding: kplus.ClusterRoleBinding;
  /** Binds kube-system's extension-apiserver-authentication-reader Role to the ServiceAccount. */
  public readonly authReaderBinding: kplus.RoleBinding;
  /** Read access to the served resources, aggregated into view, edit and admin. */
  public readonly viewClusterRole: kplus.ClusterRole;
  /** Write access to the served namespaced resources, aggregated into edit and admin. */
  public readonly editClusterRole: kplus.ClusterRole;
  /** The serving Secret (kubernetes.io/tls with ca.crt; generated and provided TLS modes). */
  public readonly servingSecret?: k8s.KubeSecret;
  /** cert-manager Issuers and Certificates (cert-manager TLS mode). */
  public readonly certManager?: CertManagerServingCertificate;
  /** The data volume (embedded storage). */
  public readonly dataVolumeClaim?: kplus.PersistentVolumeClaim;
  /** The dedicated etcd (dedicated-etcd storage). */
  public readonly etcd?: DedicatedEtcd;
  /** The server (absent with external). */
  public readonly deployment?: kplus.Deployment;
  /** The server's PodDisruptionBudget (replicas > 1). */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The Service the APIServices point at. */
  public readonly service: kplus.Service;
  /** The EndpointSlice pointing the Service at an external IP address (external with an IP). */
  public readonly endpointSlice?: k8s.KubeEndpointSlice;
  /** One APIService per served group/version, named `<version>.<group>`. */
  public readonly apiServices: k8s.KubeApiService[];

  constructor(scope: Construct, id: string, props: AggregatedApiServerProps) {
    super(scope, id);
    const config = resolveConfig(props);
    this.config = config;
    const { material, keyStoreDir } = servingMaterial(config, props.logger);
    this.tlsMaterial = material;
    this.keyStoreDir = keyStoreDir;
    const m = renderManifests(config, material);
    this.manifests = m;

    if (m.namespace) {
      this.namespace = clusterScoped(
        new kplus.Namespace(this, 'Namespace', { metadata: metadataOf(m.namespace.metadata) }),
      );
    }

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: metadataOf(m.serviceAccount.metadata),
      automountToken: m.serviceAccount.automountServiceAccountToken,
    });

    this.serverClusterRole = clusterRole(this, 'ServerClusterRole', m.serverClusterRole);
    this.serverClusterRoleBinding = clusterRoleBinding(
      this,
      'ServerClusterRoleBinding',
      m.serverClusterRoleBinding,
      this.serviceAccount,
      this.serverClusterRole,
    );
    this.authDelegatorBinding = clusterRoleBinding(
      this,
      'AuthDelegatorBinding',
      m.authDelegatorBinding,
      this.serviceAccount,
    );
    const reader = m.authReaderBinding;
    this.authReaderBinding = new kplus.RoleBinding(this, 'AuthReaderBinding', {
      metadata: metadataOf(reader.metadata),
      role: kplus.Role.fromRoleName(this, 'AuthReaderRole', reader.roleRef.name),
    });
    this.authReaderBinding.addSubjects(this.serviceAccount);
    this.viewClusterRole = clusterRole(this, 'ViewClusterRole', m.viewClusterRole);
    this.editClusterRole = clusterRole(this, 'EditClusterRole', m.editClusterRole);

    if (m.servingSecret) {
      this.servingSecret = new k8s.KubeSecret(this, 'ServingSecret', secretProps(m.servingSecret));
    }
    if (m.certManager) {
      this.certManager = new CertManagerServingCertificate(this, 'CertManager', { manifests: m.certManager });
    }

    if (m.dataVolumeClaim) {
      const pvc = m.dataVolumeClaim;
      this.dataVolumeClaim = new kplus.PersistentVolumeClaim(this, 'DataVolumeClaim', {
        metadata: metadataOf(pvc.metadata),
        accessModes: pvc.spec?.accessModes as kplus.PersistentVolumeAccessMode[] | undefined,
        storageClassName: pvc.spec?.storageClassName,
        volumeMode: pvc.spec?.volumeMode as kplus.PersistentVolumeMode | undefined,
      });
      // The quantity exactly as given (cdk8s-plus would convert it to Gi).
      overlay(this.dataVolumeClaim, '/spec/resources', {
        requests: kubeQuantities(pvc.spec?.resources?.requests),
      });
    }

    if (m.etcd) this.etcd = new DedicatedEtcd(this, 'Etcd', { manifests: m.etcd });

    if (m.deployment) this.deployment = this.createDeployment(m);
    if (m.podDisruptionBudget) {
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(
        this,
        'PodDisruptionBudget',
        podDisruptionBudgetProps(m.podDisruptionBudget),
      );
    }

    this.service = serviceFromManifest(this, 'Service', m.service);
    if (m.endpointSlice) {
      this.endpointSlice = new k8s.KubeEndpointSlice(
        this,
        'EndpointSlice',
        endpointSliceProps(m.endpointSlice),
      );
    }

    this.apiServices = m.apiServices.map((apiService) =>
      clusterScoped(
        new k8s.KubeApiService(this, `ApiService-${apiService.metadata.name}`, apiServiceProps(apiService)),
      ),
    );

    this.addOrdering();
  }

  private createDeployment(m: AggregatedApiServerManifests): kplus.Deployment {
    const d = m.deployment;
    const spec = d?.spec;
    if (!d || !spec) throw new Error('no Deployment to realize');
    const rolling = spec.strategy?.rollingUpdate;
    const percentOrAbsolute = (v: number | string | undefined) =>
      v === undefined
        ? undefined
        : typeof v === 'number'
          ? kplus.PercentOrAbsolute.absolute(v)
          : kplus.PercentOrAbsolute.percent(parseInt(v, 10));
    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: metadataOf(d.metadata),
      replicas: spec.replicas,
      strategy:
        spec.strategy?.type === 'Recreate'
          ? kplus.DeploymentStrategy.recreate()
          : kplus.DeploymentStrategy.rollingUpdate({
              maxSurge: percentOrAbsolute(rolling?.maxSurge),
              maxUnavailable: percentOrAbsolute(rolling?.maxUnavailable),
            }),
      ...podProps(spec.template, this.serviceAccount),
    });
    deployment.select(kplus.LabelSelector.of({ labels: spec.selector.matchLabels }));
    const claims = new Map<string, kplus.IPersistentVolumeClaim>();
    if (this.dataVolumeClaim) claims.set(this.dataVolumeClaim.name, this.dataVolumeClaim);
    addContainers(deployment, spec.template, podVolumes(this, spec.template.spec?.volumes ?? [], claims));
    return deployment;
  }

  /**
   * Synthesizes the objects in lib/core's apply order (namespace, identity and RBAC, TLS,
   * storage, workload, Service, APIServices), and makes every APIService depend on what serves it:
   * an APIService whose backend is missing makes discovery fail for every client of the cluster.
   */
  private addOrdering(): void {
    const realized = new Map<string, ApiObject>();
    for (const obj of this.node.findAll()) {
      if (obj instanceof ApiObject)
        realized.set(`${obj.kind}/${obj.name}/${obj.metadata.namespace ?? ''}`, obj);
    }
    const find = (m: AnyManifest): ApiObject | undefined =>
      realized.get(`${m.kind}/${m.metadata.name}/${m.metadata.namespace ?? ''}`) ??
      [...realized.values()].find((o) => o.kind === m.kind && o.name === m.metadata.name);
    const ordered = manifestList(this.manifests).map(find);
    ordered.forEach((obj, i) => {
      if (!obj) throw new Error(`internal: ${manifestList(this.manifests)[i].kind} was not realized`);
      if (i > 0) obj.addDependency(ordered[i - 1] as ApiObject);
    });

    const backends: IConstruct[] = [this.service];
    for (const b of [
      this.deployment,
      this.servingSecret,
      this.certManager,
      this.endpointSlice,
      this.podDisruptionBudget,
    ]) {
      if (b) backends.push(b);
    }
    for (const apiService of this.apiServices) apiService.addDependency(...backends);
  }
}

function clusterRole(scope: Construct, id: string, m: Manifest<V1ClusterRole>): kplus.ClusterRole {
  const role = clusterScoped(new kplus.ClusterRole(scope, id, { metadata: metadataOf(m.metadata) }));
  for (const rule of m.rules ?? []) addRule(role, rule);
  return role;
}

function addRule(role: kplus.ClusterRole, rule: V1PolicyRule): void {
  const endpoints = (rule.apiGroups ?? ['']).flatMap((apiGroup) =>
    (rule.resources ?? []).map((resourceType) => kplus.ApiResource.custom({ apiGroup, resourceType })),
  );
  role.allow([...rule.verbs], ...endpoints);
}

function clusterRoleBinding(
  scope: Construct,
  id: string,
  m: Manifest<V1ClusterRoleBinding>,
  subject: kplus.ServiceAccount,
  role?: kplus.ClusterRole,
): kplus.ClusterRoleBinding {
  const binding = clusterScoped(
    new kplus.ClusterRoleBinding(scope, id, {
      metadata: metadataOf(m.metadata),
      role: role ?? kplus.ClusterRole.fromClusterRoleName(scope, `${id}Role`, m.roleRef.name),
    }),
  );
  binding.addSubjects(subject);
  return binding;
}
