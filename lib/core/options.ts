import type { AuditPolicy } from '../../api/audit-policy.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';

export type {
  AuditGroupResources,
  AuditLevel,
  AuditPolicy,
  AuditPolicyRule,
  AuditStage,
} from '../../api/audit-policy.js';

/**
 * The framework-neutral description of an aggregated API server deployment. The cdk8s construct
 * takes exactly these props; a Pulumi component takes the same shape (wrapping fields in
 * `pulumi.Input` where it must), so both render the same objects through `lib/core`.
 */

/** CPU and memory quantities, e.g. `{ cpu: '100m', memory: '128Mi' }`. */
export interface ResourceQuantities {
  /** CPU quantity, e.g. `100m` or `1`. @default - unset */
  readonly cpu?: string;
  /** Memory quantity, e.g. `128Mi`. @default - unset */
  readonly memory?: string;
}

/** Compute requests and limits of a container. */
export interface ComputeResources {
  /** Requested resources (what the scheduler reserves). @default - see the field that uses it */
  readonly requests?: ResourceQuantities;
  /** Resource limits. @default - see the field that uses it */
  readonly limits?: ResourceQuantities;
}

/** A toleration, as in the pod spec. */
export interface TolerationOptions {
  /** Taint key; empty with operator `Exists` tolerates every taint. @default - any key */
  readonly key?: string;
  /** `Equal` (key and value must match) or `Exists` (key only). @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** Taint value for `Equal`. @default - none */
  readonly value?: string;
  /** Taint effect to tolerate. @default - all effects */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** For `NoExecute`: how long the pod stays bound after the taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/**
 * The server keeps its data itself, on a PersistentVolumeClaim mounted at its data directory
 * (`--data-dir`). Single replica only.
 */
export interface EmbeddedStorageOptions {
  /** Discriminator. */
  readonly type: 'embedded';
  /** Size of the data volume. @default '1Gi' */
  readonly size?: string;
  /** StorageClass of the data volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/**
 * An etcd cluster you operate (`--etcd-servers`). Never point this at the Kubernetes control
 * plane's own etcd.
 */
export interface EtcdStorageOptions {
  /** Discriminator. */
  readonly type: 'etcd';
  /** Client URLs, e.g. `['https://etcd-0.example:2379']`; at least one. */
  readonly endpoints: readonly string[];
  /**
   * A Secret in the server's namespace with the client certificate etcd authenticates the server
   * by and the CA etcd's serving certificate chains to, under the keys `tls.crt`, `tls.key` and
   * `ca.crt` (a `kubernetes.io/tls` Secret as cert-manager writes it). Mounted read-only and given
   * as `--etcd-certfile`, `--etcd-keyfile` and `--etcd-cafile`; every endpoint must then be https.
   * @default - no client certificate: https endpoints are verified against the image's system roots
   */
  readonly clientCertificateSecret?: string;
}

/**
 * Scheduled snapshots of the dedicated etcd onto a volume of their own (a CronJob running
 * `etcdctl snapshot save`, keeping the newest `keep`). README.md ("Restoring etcd from a
 * snapshot") shows how to restore one.
 */
export interface EtcdBackupOptions {
  /** Cron schedule of the snapshots. @default '0 0,6,12,18 * * *' (every six hours) */
  readonly schedule?: string;
  /** How many snapshots to keep. @default 8 */
  readonly keep?: number;
  /** Size of the snapshot volume. @default '16Gi' */
  readonly size?: string;
  /** StorageClass of the snapshot volume. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/**
 * A dedicated etcd deployed with the server (headless Service, StatefulSet with persistent
 * volumes, client Service `<name>-etcd:2379`, PodDisruptionBudget and a NetworkPolicy that
 * admits only the server's pods, the etcd peers and its maintenance jobs), with TLS and client
 * certificates, scheduled snapshots and defragmentation. The recommended setup for replicas > 1.
 */
export interface DedicatedEtcdStorageOptions {
  /** Discriminator. */
  readonly type: 'dedicated-etcd';
  /** Number of etcd members: 1, 3 or 5. @default 3 */
  readonly members?: number;
  /** The etcd image. @default DEFAULT_ETCD_IMAGE (registry.k8s.io/etcd:3.6.6-0) */
  readonly image?: string;
  /** Size of each member's data volume. @default '4Gi' (etcd's default backend quota is 2 GiB) */
  readonly size?: string;
  /** StorageClass of the data volumes. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Compute resources of each member.
   * @default { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } }
   */
  readonly resources?: ComputeResources;
  /**
   * Render a NetworkPolicy that admits client traffic (2379) only from the server's pods (and
   * the maintenance jobs) and peer traffic (2380) only from the other members.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Client and peer traffic over TLS, and client-certificate authentication: only holders of a
   * certificate from etcd's CA get in. The server makes the CA, the members' certificate and its
   * own client certificate at startup and keeps them in the Secret `<name>-etcd-tls` (rendered
   * empty; the members start once it is filled). They last as long as the CA (10 years); empty
   * the Secret's data and restart etcd and the server to make new ones.
   * @default true
   */
  readonly tls?: boolean;
  /** Scheduled snapshots (false: none). @default - every six hours, the newest 8 kept */
  readonly backup?: EtcdBackupOptions | false;
  /**
   * Cron schedule of `etcdctl defrag --cluster`, which returns the space compaction freed to the
   * file system, member by member (false: never).
   * @default '30 3 * * 0' (weekly)
   */
  readonly defragmentationSchedule?: string | false;
}

/** Where the server stores its objects. */
export type StorageOptions = EmbeddedStorageOptions | EtcdStorageOptions | DedicatedEtcdStorageOptions;

/** A CA given as PEM. */
export interface CaOptions {
  /** The CA certificate (PEM). */
  readonly certificatePem: string;
  /** The CA private key (PEM, PKCS#1 or PKCS#8). */
  readonly privateKeyPem: string;
}

/** Names the serving certificate covers beyond the Service's DNS names. */
export interface ServingCertificateNames {
  /** Extra DNS names for the serving certificate (e.g. `localhost`). @default [] */
  readonly additionalDnsNames?: readonly string[];
  /** Extra IP addresses for the serving certificate (e.g. `127.0.0.1`). @default [] */
  readonly additionalIpAddresses?: readonly string[];
}

/**
 * The server creates its own CA and serving certificate at startup and keeps them in a Secret
 * shared by every replica (rendered empty: no key material in the manifests); it keeps the
 * caBundle of its APIServices current and rotates before expiry, the CA with an overlap (old and
 * new CA trusted together) so the aggregator never meets a certificate it does not trust. Its
 * RBAC is limited by name to that Secret and those APIServices. Nothing to keep or rotate
 * outside the cluster: the mode for GitOps.
 *
 * Force a rotation with `kubectl annotate secret <name>-serving-cert aggregated-apiserver.io/rotate=ca`
 * (or `=serving` for the serving certificate alone).
 */
export interface SelfManagedTlsOptions extends ServingCertificateNames {
  /** Discriminator. */
  readonly mode: 'self-managed';
  /** Validity of each CA, in days; rotated once two thirds of it have passed. @default 3650 */
  readonly caValidityDays?: number;
  /** Validity of each serving certificate, in days; re-issued once two thirds have passed. @default 365 */
  readonly servingValidityDays?: number;
  /**
   * How long each half of a CA rotation lasts (Go duration): the new CA is trusted this long
   * before it signs, and the old one this long after it stopped signing. Longer than a minute
   * (every replica checks the Secret once a minute).
   * @default '10m'
   */
  readonly rotationOverlap?: string;
}

/**
 * Generate a CA and a serving certificate outside the cluster and render them into the serving
 * Secret and the caBundle: the rendered manifests then hold the serving private key in plain
 * base64. cdk8s does it at synth time and keeps the keys in a key store (see the construct's
 * `keyStoreDir`), so that re-running synth yields byte-identical manifests; Pulumi keeps them in
 * the stack state (@pulumi/tls), encrypted.
 */
export interface GeneratedTlsOptions extends ServingCertificateNames {
  /** Discriminator. */
  readonly mode: 'generated';
  /**
   * Sign the serving certificate with this CA instead of generating one.
   * @default - a CA is generated
   */
  readonly ca?: CaOptions;
  /** Validity of a generated CA, in days. @default 3650 */
  readonly caValidityDays?: number;
  /** Validity of the serving certificate, in days. @default 365 */
  readonly servingValidityDays?: number;
  /**
   * Re-issue the serving certificate (from the same CA) when it expires within this many days.
   * @default 30
   */
  readonly renewBeforeDays?: number;
}

/** Use PEMs you provide. They are checked at synth time (parse, key match, chain, SANs). */
export interface ProvidedTlsOptions {
  /** Discriminator. */
  readonly mode: 'provided';
  /** The CA certificate that signed the serving certificate (becomes the APIService caBundle). */
  readonly caCertificatePem: string;
  /** The serving certificate; it must cover `<name>.<namespace>.svc`. */
  readonly certificatePem: string;
  /** The serving certificate's private key. */
  readonly privateKeyPem: string;
}

/** A cert-manager issuer reference. */
export interface CertManagerIssuerRef {
  /** Name of the issuer. */
  readonly name: string;
  /** `Issuer` (in the server's namespace) or `ClusterIssuer`. @default 'Issuer' */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
  /** API group of the issuer. @default 'cert-manager.io' */
  readonly group?: string;
}

/**
 * Let cert-manager issue and rotate the serving certificate; its CA injector fills each
 * APIService's caBundle (`cert-manager.io/inject-ca-from`). Requires cert-manager in the cluster.
 */
export interface CertManagerTlsOptions extends ServingCertificateNames {
  /** Discriminator. */
  readonly mode: 'cert-manager';
  /**
   * The issuer of the serving certificate. Its Secrets must carry `ca.crt` (CA and self-signed
   * issuers do; ACME issuers do not and cannot serve an APIService).
   * @default - a self-signed bootstrap Issuer, a CA Certificate and a CA Issuer are created
   */
  readonly issuerRef?: CertManagerIssuerRef;
  /** Lifetime of the serving certificate (Go duration). @default '8760h' */
  readonly duration?: string;
  /** When to renew it before expiry (Go duration). @default '720h' */
  readonly renewBefore?: string;
  /** Lifetime of the bootstrap CA (Go duration), when one is created. @default '87600h' */
  readonly caDuration?: string;
}

/**
 * The server generates a throw-away self-signed certificate in `--cert-dir`. Nothing can verify
 * it, so this requires `insecureSkipTLSVerify: true`; for development only.
 */
export interface ServerSelfSignedTlsOptions {
  /** Discriminator. */
  readonly mode: 'self-signed';
}

/** How the serving certificate is obtained. */
export type TlsOptions =
  | SelfManagedTlsOptions
  | GeneratedTlsOptions
  | ProvidedTlsOptions
  | CertManagerTlsOptions
  | ServerSelfSignedTlsOptions;

/**
 * Serve from outside the cluster: no server Deployment is rendered; the Service points at the
 * address instead.
 */
export interface ExternalServerOptions {
  /**
   * Where the server listens. An IP address renders a selector-less ClusterIP Service with a
   * named port and a matching EndpointSlice (how the aggregator resolves a ClusterIP Service;
   * without kube-proxy, e.g. a control plane without nodes, run kube-apiserver with
   * `--enable-aggregator-routing=true` so it dials the endpoint IP). Kubernetes refuses
   * loopback, link-local and unspecified endpoint addresses, so for a server running on the
   * control-plane machine itself use `localhost`. A DNS name renders an `ExternalName` Service
   * (the aggregator dials `<address>:<port>`). Either way the aggregator verifies the certificate
   * against `<name>.<namespace>.svc`.
   */
  readonly address: string;
  /** The port the external server listens on. @default the `securePort` (6443) */
  readonly port?: number;
}

/**
 * Prometheus scraping of the server's `/metrics`, which (like kube-apiserver's) is authenticated
 * and authorized: a ClusterRole that may `get` it, bound to Prometheus's ServiceAccount, and a
 * Prometheus Operator ServiceMonitor that scrapes over TLS with that ServiceAccount's token,
 * verifying the serving certificate against the CA in the serving Secret.
 */
export interface MetricsOptions {
  /** Render a ServiceMonitor (monitoring.coreos.com/v1; needs the Prometheus Operator). @default true */
  readonly serviceMonitor?: boolean;
  /** Scrape interval (Go duration). @default '30s' */
  readonly interval?: string;
  /** Labels on the ServiceMonitor, e.g. what your Prometheus's serviceMonitorSelector matches. @default {} */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /**
   * Prometheus's ServiceAccount, bound to the metrics reader ClusterRole.
   * @default - none bound: bind `<namespace>:<name>:metrics-reader` to your Prometheus yourself
   */
  readonly prometheusServiceAccount?: { readonly name: string; readonly namespace: string };
}

/** A key of a Secret or ConfigMap in the server's namespace. */
export interface KeyReference {
  /** Name of the Secret or ConfigMap. */
  readonly name: string;
  /** The key within it. @default - see the field that uses it */
  readonly key?: string;
}

/**
 * The Prometheus the stock image's MetricSnapshot collector reads from (`source: prometheus`).
 * The Secret and ConfigMap must exist in the server's namespace; they are mounted read-only.
 */
export interface PrometheusOptions {
  /** The Prometheus HTTP API, e.g. `http://prometheus-operated.monitoring.svc:9090` (`--prometheus-url`). */
  readonly url: string;
  /**
   * A Secret whose key holds a bearer token for Prometheus, read for every query
   * (`--prometheus-bearer-token-file`), so a rotated token is picked up.
   * @default - no token; the key defaults to `token`
   */
  readonly bearerTokenSecret?: KeyReference;
  /**
   * A ConfigMap whose key holds the CA bundle (PEM) Prometheus' serving certificate chains to
   * (`--prometheus-ca-file`), e.g. `{ name: 'kube-root-ca.crt' }` for a certificate from the
   * cluster CA.
   * @default - the image's system roots; the key defaults to `ca.crt`
   */
  readonly caConfigMap?: KeyReference;
}

/** Everything that describes an aggregated API server deployment. */
export interface AggregatedApiServerOptions {
  /**
   * Name of the Service, Deployment, ServiceAccount and prefix of every other object; a DNS-1035
   * label of at most 47 characters.
   * @default 'aggregated-apiserver'
   */
  readonly name?: string;

  /** Namespace of the namespaced objects. @default - the `name` */
  readonly namespace?: string;

  /** Create the namespace (false: it must already exist). @default true */
  readonly createNamespace?: boolean;

  /**
   * The resources the server serves, as `defineResource` (from `aggregated-apiserver/api`)
   * returns them: the same values a server entry imports. Everything is derived from them: one
   * APIService per served group/version, the RBAC of the aggregated view/edit/admin roles
   * (subresources included) and the server's `--resources` flag, which names exactly these.
   * With the stock image, definitions that are plain data are handed to it in a ConfigMap
   * (`--resource-definitions`); one with code (conversion, hooks, column functions, a storage)
   * needs an image of your own. At least one.
   */
  readonly resources: readonly ResourceDefinition[];

  /**
   * Server image. The default, the stock image, serves MetricSnapshot
   * (`aggregated-apiserver/metricsnapshot`) itself and every definition that is plain data from
   * a ConfigMap. An image of your own runs your server entry (`runApiServer` from
   * `aggregated-apiserver/server`), which must serve every definition in `resources`: the
   * construct passes it `--resources` naming them, and the server refuses to start without one.
   * @default DEFAULT_IMAGE (`aggregated-apiserver:<package version>`)
   */
  readonly image?: string;

  /**
   * What runs in the image: `stock`, this package's server, or `own`, a server entry of yours that
   * serves every definition in code (no ConfigMap is rendered). Set `stock` for a copy of the stock
   * image in your registry, `own` for a server of yours run with `external`.
   * @default - 'stock' without `image`, 'own' with it
   */
  readonly serverEntry?: 'stock' | 'own';

  /** Image pull policy. @default 'IfNotPresent' */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';

  /** Names of image pull Secrets in the namespace. @default [] */
  readonly imagePullSecrets?: readonly string[];

  /** Server replicas. More than one needs etcd storage. @default 2 */
  readonly replicas?: number;

  /** Container port the server listens on (`--secure-port`), 1024..65535. @default 6443 */
  readonly securePort?: number;

  /** Log verbosity (`--v`). @default 2 */
  readonly verbosity?: number;

  /**
   * More server flags, passed through verbatim after the managed ones (e.g.
   * `['--etcd-prefix=/custom']`). Flags the construct sets itself are rejected.
   * @default []
   */
  readonly extraArgs?: readonly string[];

  /**
   * Compute resources of the server container. The defaults suit a small server; raise the memory
   * limit with the size of your watch cache.
   * @default { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } }
   */
  readonly containerResources?: ComputeResources;

  /**
   * UID (and GID, fsGroup) the containers run as. The root filesystem is read-only, all
   * capabilities are dropped and the RuntimeDefault seccomp profile applies.
   * @default 65532
   */
  readonly runAsUser?: number;

  /** PriorityClass of the server (and etcd) pods. @default - none */
  readonly priorityClassName?: string;

  /** Node selector of the server (and etcd) pods. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;

  /** Tolerations of the server (and etcd) pods. @default [] */
  readonly tolerations?: readonly TolerationOptions[];

  /**
   * Spread replicas (when more than one) across nodes and zones with topology spread constraints:
   * `preferred` (ScheduleAnyway), `required` (DoNotSchedule across nodes) or `none`.
   * @default 'preferred'
   */
  readonly topologySpread?: 'preferred' | 'required' | 'none';

  /** Storage of the server. Not allowed with `external`. @default { type: 'dedicated-etcd' } */
  readonly storage?: StorageOptions;

  /**
   * The serving certificate.
   * @default { mode: 'self-managed' } (the Pulumi component defaults to generated: there the keys
   *   live encrypted in the stack state)
   */
  readonly tls?: TlsOptions;

  /** The cluster's DNS domain, used in the certificate SANs and etcd peer URLs. @default 'cluster.local' */
  readonly clusterDomain?: string;

  /** `groupPriorityMinimum` of the APIServices (1..20000). @default 1000 */
  readonly groupPriorityMinimum?: number;

  /**
   * `versionPriority` of the APIServices (1..1000). Versions of equal priority are ordered by
   * Kubernetes version order (v1 > v1beta1 > v1alpha1).
   * @default 15
   */
  readonly versionPriority?: number;

  /** Per-version overrides of `versionPriority`, keyed by version (e.g. `{ v1beta1: 10 }`). @default {} */
  readonly versionPriorities?: Readonly<Record<string, number>>;

  /**
   * Tell the aggregator not to verify the server's certificate. Only with `tls: { mode:
   * 'self-signed' }`; never together with a CA.
   * @default false
   */
  readonly insecureSkipTLSVerify?: boolean;

  /** Serve from outside the cluster (see ExternalServerOptions). @default - in-cluster Deployment */
  readonly external?: ExternalServerOptions;

  /**
   * Extra rules for the server's own ClusterRole (it already reads namespaces).
   * @default []
   */
  readonly serverRules?: readonly PolicyRuleOptions[];

  /**
   * Where the stock image's MetricSnapshot collector reads from (see PrometheusOptions); it needs
   * MetricSnapshot among the resources. A server entry of yours takes these flags only if it runs
   * the collector with the Prometheus source.
   * @default - none: snapshots with `source: prometheus` report SourceNotConfigured
   */
  readonly prometheus?: PrometheusOptions;

  /**
   * An audit.k8s.io/v1 Policy the server audits requests by, as kube-apiserver does: rendered
   * into a ConfigMap, mounted read-only and given as `--audit-policy-file`, with the events as JSON
   * lines on the container's standard output (`--audit-log-path=-`) for the cluster's log
   * collection. A changed policy rolls the pods.
   * @default - requests are not audited
   */
  readonly auditPolicy?: AuditPolicy;

  /** Let Prometheus scrape `/metrics` (see MetricsOptions). @default - no monitoring objects */
  readonly metrics?: MetricsOptions;

  /** Extra labels on every object (and pod template); never used in selectors. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** An RBAC policy rule. */
export interface PolicyRuleOptions {
  /** API groups (`''` for the core group). */
  readonly apiGroups: readonly string[];
  /** Resources, e.g. `['configmaps']`. */
  readonly resources: readonly string[];
  /** Verbs, e.g. `['get', 'list', 'watch']`. */
  readonly verbs: readonly string[];
}
