import * as pulumi from '@pulumi/pulumi';
import { base64, renderManifests, type TlsMaterial } from '../core/index.js';
import type { AggregatedApiServerArgs } from './args.js';
import { kubernetesChildren, type PulumiObjects } from './kubernetes-children.js';
import { bindLateValues } from './late-bound-values.js';
import { resolveArgs } from './resolve-args.js';
import { servingMaterial } from './serving-material.js';
import type { ServingPki } from './serving-pki.js';

/**
 * An aggregated API server, deployed securely and registered with the Kubernetes aggregator: the
 * Pulumi counterpart of the cdk8s construct, rendering the same objects from lib/core (namespace,
 * ServiceAccount and RBAC for delegated authn/authz, view/edit roles, the serving certificate,
 * storage, Deployment, Service, PodDisruptionBudget and one APIService per served version).
 *
 * Pulumi-specific: the certificates are @pulumi/tls resources kept in the stack state (or your
 * PEMs, or cert-manager); children are parented to the component and inherit its `provider` /
 * `providers`; they are created in lib/core's apply order and destroyed in reverse (APIServices
 * first), each APIService also depending on what serves it and awaited until Available.
 *
 * @example
 * import { metricSnapshot } from 'aggregated-apiserver/metricsnapshot';
 * const server = new AggregatedApiServer('metrics', {
 *   name: 'custom-apiserver',
 *   resources: [metricSnapshot],
 * }, { provider: cluster });
 * export const caBundle = server.caBundle;
 */
export class AggregatedApiServer extends pulumi.ComponentResource {
  /** The component's Pulumi type token. */
  public static readonly TYPE = 'aggregated-apiserver:index:AggregatedApiServer';

  /** Namespace of the namespaced objects. */
  public readonly namespaceName: pulumi.Output<string>;
  /** Name of the Service the APIServices point at. */
  public readonly serviceName: pulumi.Output<string>;
  /** Names of the APIServices, `<version>.<group>`. */
  public readonly apiServiceNames: pulumi.Output<string[]>;
  /** The CA certificate (PEM) the APIServices trust (generated and provided TLS modes). */
  public readonly caCertificatePem?: pulumi.Output<string>;
  /** base64 of caCertificatePem: each APIService's `spec.caBundle` (generated and provided TLS modes). */
  public readonly caBundle?: pulumi.Output<string>;
  /**
   * The serving certificate, its key and CA (generated and provided TLS modes), a Pulumi secret.
   * The same values are in the serving Secret.
   */
  public readonly tlsMaterial?: pulumi.Output<TlsMaterial>;
  /** The @pulumi/tls resources (generated TLS mode). */
  public readonly pki?: ServingPki;

  /** Every Kubernetes object, by role (see lib/core's OBJECT_ROLES). */
  public readonly objects: PulumiObjects;

  /**
   * @param name the Pulumi name; it prefixes the children's Pulumi names only (the Kubernetes
   *   names come from `args.name` and `args.namespace`)
   * @throws AggregatedApiServerConfigError listing every problem of the arguments
   */
  constructor(name: string, args: AggregatedApiServerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AggregatedApiServer.TYPE, name, {}, opts);
    const { config, image, tls } = resolveArgs(args);
    const material = servingMaterial(name, config, tls, { parent: this });
    this.pki = material?.pki;

    // lib/core decides every object; the image and PEMs are bound into it as Outputs.
    const manifests = material
      ? bindLateValues({ image, ...material.pems }, (v) =>
          renderManifests(
            { ...config, image: v.image },
            {
              caCertificatePem: v.caCertificatePem,
              certificatePem: v.certificatePem,
              privateKeyPem: v.privateKeyPem,
            },
          ),
        )
      : bindLateValues({ image }, (v) => renderManifests({ ...config, image: v.image }));
    const objects = kubernetesChildren(name, manifests, this);
    this.objects = objects;

    // Read back from the resources, so that whoever uses them waits for the objects to exist.
    this.namespaceName = objects.service.metadata.apply((m) => m.namespace ?? config.namespace);
    this.serviceName = objects.service.metadata.name;
    this.apiServiceNames = pulumi.all(objects.apiServices.map((a) => a.metadata.name));
    if (material) {
      this.caCertificatePem = material.pems.caCertificatePem;
      this.caBundle = material.pems.caCertificatePem.apply(base64);
      this.tlsMaterial = pulumi
        .all([material.pems.caCertificatePem, material.pems.certificatePem, material.pems.privateKeyPem])
        .apply(([caCertificatePem, certificatePem, privateKeyPem]) => ({
          caCertificatePem,
          certificatePem,
          privateKeyPem,
        }));
    }
    this.registerOutputs({
      namespaceName: this.namespaceName,
      serviceName: this.serviceName,
      apiServiceNames: this.apiServiceNames,
      caCertificatePem: this.caCertificatePem,
      caBundle: this.caBundle,
    });
  }
}
