import { isIP } from 'node:net';
import { serverFlagSpecs } from '../../server/options/server-flags.js';
import type { FlagSpec } from '../../server/options/flag-parser.js';
import { controllerManagerFlagSpecs } from '../../server/controllers/controller-flags.js';
import { parseGoDuration } from '../../api/go-duration.js';
import { AggregatedApiServerConfigError } from './errors.js';
import type {
  AggregatedApiServerOptions,
  CaOptions,
  ComputeResources,
  EtcdBackupOptions,
  KeyReference,
  PolicyRuleOptions,
  PrometheusOptions,
  AuditPolicy,
  TolerationOptions,
} from './options.js';
import {
  declarativeResourcesFile,
  isStockImageResource,
  type ResolvedResource,
  resolveResources,
  type ServerEntry,
} from './served-resources.js';
import { auditPolicyProblems } from './audit-policy.js';
import { COLLECTED_RESOURCE, STOCK_IMAGE_CONTROLLERS } from './stock-image.js';
import {
  checkCronSchedule,
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkEndpointIp,
  checkEtcdEndpoint,
  checkGoDuration,
  checkIntegerInRange,
  checkIpAddress,
  checkPort,
  checkQuantity,
} from './validation.js';
import { DEFAULT_ETCD_IMAGE, DEFAULT_IMAGE } from './version.js';

/** One group/version the server serves: one APIService. */
export interface GroupVersion {
  readonly group: string;
  readonly version: string;
  readonly versionPriority: number;
}

/** Resolved storage; `none` in external mode (the external server brings its own). */
export type ResolvedStorage =
  | { readonly type: 'embedded'; readonly size: string; readonly storageClassName?: string }
  | {
      readonly type: 'etcd';
      readonly endpoints: readonly string[];
      readonly clientCertificateSecret?: string;
    }
  | {
      readonly type: 'dedicated-etcd';
      readonly members: number;
      readonly image: string;
      readonly size: string;
      readonly storageClassName?: string;
      readonly resources: ComputeResources;
      readonly networkPolicy: boolean;
      readonly tls: boolean;
      readonly backup?: {
        readonly schedule: string;
        readonly keep: number;
        readonly size: string;
        readonly storageClassName?: string;
      };
      readonly defragmentationSchedule?: string;
    }
  | { readonly type: 'none' };

/** Resolved TLS options. */
export type ResolvedTls =
  | {
      readonly mode: 'self-managed';
      readonly caValidityDays: number;
      readonly servingValidityDays: number;
      readonly rotationOverlap: string;
      readonly additionalDnsNames: readonly string[];
      readonly additionalIpAddresses: readonly string[];
    }
  | {
      readonly mode: 'generated';
      readonly ca?: CaOptions;
      readonly caValidityDays: number;
      readonly servingValidityDays: number;
      readonly renewBeforeDays: number;
      readonly additionalDnsNames: readonly string[];
      readonly additionalIpAddresses: readonly string[];
    }
  | {
      readonly mode: 'provided';
      readonly caCertificatePem: string;
      readonly certificatePem: string;
      readonly privateKeyPem: string;
    }
  | {
      readonly mode: 'cert-manager';
      readonly issuerRef?: {
        readonly name: string;
        readonly kind: 'Issuer' | 'ClusterIssuer';
        readonly group: string;
      };
      readonly duration: string;
      readonly renewBefore: string;
      readonly caDuration: string;
      readonly additionalDnsNames: readonly string[];
      readonly additionalIpAddresses: readonly string[];
    }
  | { readonly mode: 'self-signed' };

/** Resolved external endpoint. */
export type ResolvedExternal =
  | {
      readonly kind: 'ip';
      readonly address: string;
      readonly addressType: 'IPv4' | 'IPv6';
      readonly port: number;
    }
  | { readonly kind: 'dns'; readonly host: string; readonly port: number };

/** Prometheus options with the keys' defaults applied. */
export interface ResolvedPrometheus {
  readonly url: string;
  readonly bearerTokenSecret?: Required<KeyReference>;
  readonly caConfigMap?: Required<KeyReference>;
}

/** AggregatedApiServerOptions validated and with every default applied. */
export interface AggregatedApiServerConfig {
  readonly name: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly resources: readonly ResolvedResource[];
  readonly groupVersions: readonly GroupVersion[];
  readonly image: string;
  readonly serverEntry: ServerEntry;
  /**
   * The `ResourceDefinitionList` (JSON) the stock image loads from a ConfigMap: the declarative
   * definitions besides its built-ins. Undefined when there are none or the image is the user's.
   */
  readonly declarativeResources?: string;
  /** Controllers of the stock image that would work on a resource it does not serve (turned off). */
  readonly disabledControllers: readonly string[];
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly imagePullSecrets: readonly string[];
  readonly replicas: number;
  readonly securePort: number;
  readonly verbosity: number;
  readonly extraArgs: readonly string[];
  readonly containerResources: ComputeResources;
  readonly runAsUser: number;
  readonly priorityClassName?: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly TolerationOptions[];
  readonly topologySpread: 'preferred' | 'required' | 'none';
  readonly storage: ResolvedStorage;
  readonly tls: ResolvedTls;
  readonly clusterDomain: string;
  readonly groupPriorityMinimum: number;
  readonly insecureSkipTLSVerify: boolean;
  readonly external?: ResolvedExternal;
  readonly serverRules: readonly PolicyRuleOptions[];
  readonly prometheus?: ResolvedPrometheus;
  readonly auditPolicy?: AuditPolicy;
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics?: {
    readonly serviceMonitor: boolean;
    readonly interval: string;
    readonly serviceMonitorLabels: Readonly<Record<string, string>>;
    readonly prometheusServiceAccount?: { readonly name: string; readonly namespace: string };
  };
}

/** Default name of the deployment. */
export const DEFAULT_NAME = 'aggregated-apiserver';

/** Default compute resources of the server container. */
export const DEFAULT_SERVER_RESOURCES: ComputeResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { memory: '512Mi' },
};

/** Default compute resources of each dedicated etcd member. */
export const DEFAULT_ETCD_RESOURCES: ComputeResources = {
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { memory: '1Gi' },
};

/** Server flags the construct owns; `extraArgs` may not set them. */
export const MANAGED_FLAGS: Readonly<Record<string, string>> = {
  'secure-port': 'use the securePort option',
  'tls-cert-file': 'the serving certificate comes from the tls option',
  'tls-private-key-file': 'the serving certificate comes from the tls option',
  'cert-dir': 'the serving certificate comes from the tls option',
  'self-managed-tls-secret': 'use tls: { mode: "self-managed" }',
  'self-managed-tls-apiservices': 'use tls: { mode: "self-managed" }',
  'self-managed-tls-hosts': 'use tls.additionalDnsNames and tls.additionalIpAddresses',
  'self-managed-tls-ca-validity': 'use tls.caValidityDays',
  'self-managed-tls-validity': 'use tls.servingValidityDays',
  'self-managed-tls-rotation-overlap': 'use tls.rotationOverlap',
  'self-managed-etcd-tls-secret': 'use storage: { type: "dedicated-etcd", tls: true }',
  'self-managed-etcd-tls-member-hosts': 'use storage: { type: "dedicated-etcd", tls: true }',
  'etcd-servers': 'use the storage option',
  'etcd-cafile': 'use the storage option',
  'etcd-certfile': 'use the storage option',
  'etcd-keyfile': 'use the storage option',
  'data-dir': 'use storage: { type: "embedded" }',
  standalone: 'a deployed server is never standalone',
  v: 'use the verbosity option',
  resources: 'the resources option names what the server serves',
  'leader-elect-resource-name': 'the construct grants RBAC on this Lease only',
  'leader-elect-resource-namespace': 'the construct grants RBAC on this Lease only',
  'prometheus-url': 'use the prometheus option',
  'prometheus-bearer-token-file': 'use prometheus.bearerTokenSecret',
  'prometheus-ca-file': 'use prometheus.caConfigMap',
  'resource-definitions': 'the declarative definitions in resources are handed to the stock image',
  'audit-policy-file': 'use the auditPolicy option',
  'audit-log-path': 'the auditPolicy option writes the events to the container log',
};

/**
 * The flags every server has, by name: the generic server's and the controllers' runner's (each
 * server entry takes them), from the server's own flag tables.
 */
const SERVER_FLAGS: ReadonlyMap<string, FlagSpec<unknown>> = new Map(
  Object.values({ ...serverFlagSpecs, ...controllerManagerFlagSpecs }).map((spec) => [spec.name, spec]),
);

/**
 * Validates the options and applies every default. Throws AggregatedApiServerConfigError listing
 * all problems at once.
 */
export function resolveConfig(options: AggregatedApiServerOptions): AggregatedApiServerConfig {
  const problems: string[] = [];
  const check = (problem: string | undefined): void => {
    if (problem) problems.push(problem);
  };

  const name = options.name ?? DEFAULT_NAME;
  check(checkDns1035Label('name', name, 47));
  const namespace = options.namespace ?? name;
  check(checkDns1123Label('namespace', namespace));
  const clusterDomain = options.clusterDomain ?? 'cluster.local';
  check(checkDns1123Subdomain('clusterDomain', clusterDomain));

  const resources = resolveResources(options.resources, problems);
  const groupVersions = resolveGroupVersions(resources, options, problems);
  const serverEntry = options.serverEntry ?? (options.image === undefined ? 'stock' : 'own');
  if (serverEntry !== 'stock' && serverEntry !== 'own') {
    problems.push(`serverEntry must be "stock" or "own", got "${String(serverEntry)}"`);
  }
  const declarativeResources = declarativeResourcesFile(resources, serverEntry, problems);

  const replicas = options.replicas ?? 2;
  check(checkIntegerInRange('replicas', replicas, 1, 1000));
  const securePort = options.securePort ?? 6443;
  check(
    checkIntegerInRange('securePort', securePort, 1024, 65535) &&
      `securePort must be an unprivileged port from 1024 to 65535 (the server runs as non-root; the Service maps 443 to it), got ${securePort}`,
  );
  const verbosity = options.verbosity ?? 2;
  check(checkIntegerInRange('verbosity', verbosity, 0, 10));
  const runAsUser = options.runAsUser ?? 65532;
  check(checkIntegerInRange('runAsUser', runAsUser, 1, 2147483647));
  const groupPriorityMinimum = options.groupPriorityMinimum ?? 1000;
  check(checkIntegerInRange('groupPriorityMinimum', groupPriorityMinimum, 1, 20000));

  const extraArgs = [...(options.extraArgs ?? [])];
  checkExtraArgs(extraArgs, problems);

  const containerResources = options.containerResources ?? DEFAULT_SERVER_RESOURCES;
  checkComputeResources('containerResources', containerResources, problems);

  if (options.priorityClassName !== undefined) {
    check(checkDns1123Subdomain('priorityClassName', options.priorityClassName));
  }
  for (const secret of options.imagePullSecrets ?? [])
    check(checkDns1123Subdomain('imagePullSecrets entry', secret));
  for (const [i, t] of (options.tolerations ?? []).entries()) {
    if (t.operator === 'Exists' && t.value !== undefined) {
      problems.push(`tolerations[${i}] has operator Exists and must not set a value`);
    }
    if ((t.operator ?? 'Equal') === 'Equal' && t.key === undefined) {
      problems.push(`tolerations[${i}] with operator Equal needs a key`);
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      problems.push(`tolerations[${i}].tolerationSeconds only applies to effect NoExecute`);
    }
  }

  const external = resolveExternal(options, securePort, problems);
  const storage = resolveStorage(options, replicas, external !== undefined, problems);
  const tls = resolveTls(options, problems);
  const insecureSkipTLSVerify = options.insecureSkipTLSVerify ?? false;
  if (insecureSkipTLSVerify && tls.mode !== 'self-signed') {
    problems.push(
      `insecureSkipTLSVerify cannot be combined with a CA (tls mode "${tls.mode}" gives the aggregator a caBundle to verify the server); drop insecureSkipTLSVerify, or use tls: { mode: "self-signed" } for a development setup`,
    );
  }
  if (!insecureSkipTLSVerify && tls.mode === 'self-signed') {
    problems.push(
      'tls mode "self-signed" lets the server make up a certificate nobody can verify; set insecureSkipTLSVerify: true explicitly (development only) or use tls mode "generated", "provided" or "cert-manager"',
    );
  }

  for (const [i, rule] of (options.serverRules ?? []).entries()) {
    if (rule.verbs.length === 0 || rule.resources.length === 0 || rule.apiGroups.length === 0) {
      problems.push(`serverRules[${i}] needs at least one apiGroup, resource and verb`);
    }
  }
  const prometheus = resolvePrometheus(options.prometheus, problems);
  problems.push(...auditPolicyProblems(options.auditPolicy));
  if (prometheus && serverEntry === 'stock' && !resources.some((r) => r.name === COLLECTED_RESOURCE)) {
    problems.push(
      `prometheus feeds the stock image's MetricSnapshot collector, but resources do not include MetricSnapshot (${COLLECTED_RESOURCE}, from aggregated-apiserver/metricsnapshot)`,
    );
  }
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    if (value.length > 63) problems.push(`labels["${key}"] value must be at most 63 characters`);
  }

  const metrics = options.metrics && {
    serviceMonitor: options.metrics.serviceMonitor ?? true,
    interval: options.metrics.interval ?? '30s',
    serviceMonitorLabels: { ...(options.metrics.serviceMonitorLabels ?? {}) },
    prometheusServiceAccount: options.metrics.prometheusServiceAccount && {
      ...options.metrics.prometheusServiceAccount,
    },
  };
  if (metrics) {
    check(checkGoDuration('metrics.interval', metrics.interval));
    if (metrics.prometheusServiceAccount) {
      check(
        checkDns1123Subdomain('metrics.prometheusServiceAccount.name', metrics.prometheusServiceAccount.name),
      );
      check(
        checkDns1123Label(
          'metrics.prometheusServiceAccount.namespace',
          metrics.prometheusServiceAccount.namespace,
        ),
      );
    }
  }

  if (problems.length > 0) throw new AggregatedApiServerConfigError(problems);

  return {
    name,
    namespace,
    createNamespace: options.createNamespace ?? true,
    resources,
    groupVersions,
    image: options.image ?? DEFAULT_IMAGE,
    serverEntry,
    declarativeResources,
    disabledControllers: serverEntry === 'stock' ? unusedStockControllers(resources) : [],
    imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
    imagePullSecrets: [...(options.imagePullSecrets ?? [])],
    replicas,
    securePort,
    verbosity,
    extraArgs,
    containerResources,
    runAsUser,
    priorityClassName: options.priorityClassName,
    nodeSelector: { ...(options.nodeSelector ?? {}) },
    tolerations: [...(options.tolerations ?? [])],
    topologySpread: options.topologySpread ?? 'preferred',
    storage,
    tls,
    clusterDomain,
    groupPriorityMinimum,
    insecureSkipTLSVerify,
    external,
    serverRules: [...(options.serverRules ?? [])],
    prometheus,
    auditPolicy: options.auditPolicy,
    labels: { ...(options.labels ?? {}) },
    metrics,
  };
}

/** A Secret or ConfigMap key: what a file name in a mounted volume may be. */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function resolvePrometheus(
  options: PrometheusOptions | undefined,
  problems: string[],
): ResolvedPrometheus | undefined {
  if (!options) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    problems.push(`prometheus.url must be an http or https URL, got "${options.url}"`);
  }
  const reference = (
    field: string,
    ref: KeyReference | undefined,
    defaultKey: string,
  ): Required<KeyReference> | undefined => {
    if (!ref) return undefined;
    const problem = checkDns1123Subdomain(`prometheus.${field}.name`, ref.name);
    if (problem) problems.push(problem);
    const key = ref.key ?? defaultKey;
    if (!CONFIG_KEY.test(key) || key === '.' || key === '..' || key.length > 253) {
      problems.push(
        `prometheus.${field}.key must consist of alphanumerics, '-', '_' or '.' (a file name), got "${key}"`,
      );
    }
    return { name: ref.name, key };
  };
  return {
    url: options.url,
    bearerTokenSecret: reference('bearerTokenSecret', options.bearerTokenSecret, 'token'),
    caConfigMap: reference('caConfigMap', options.caConfigMap, 'ca.crt'),
  };
}

/** The stock image's controllers whose resource is not among those served. */
function unusedStockControllers(resources: readonly ResolvedResource[]): string[] {
  const served = new Set(resources.filter(isStockImageResource).map((r) => r.name));
  return Object.entries(STOCK_IMAGE_CONTROLLERS)
    .filter(([, resource]) => !served.has(resource))
    .map(([controller]) => controller);
}

function resolveGroupVersions(
  resources: readonly ResolvedResource[],
  options: AggregatedApiServerOptions,
  problems: string[],
): GroupVersion[] {
  const defaultPriority = options.versionPriority ?? 15;
  const prio = checkIntegerInRange('versionPriority', defaultPriority, 1, 1000);
  if (prio) problems.push(prio);
  const overrides = options.versionPriorities ?? {};
  const served = new Set(resources.flatMap((r) => r.versions));
  for (const [version, priority] of Object.entries(overrides)) {
    if (!served.has(version)) problems.push(`versionPriorities names "${version}", which no resource serves`);
    const p = checkIntegerInRange(`versionPriorities["${version}"]`, priority, 1, 1000);
    if (p) problems.push(p);
  }
  const seen = new Set<string>();
  const result: GroupVersion[] = [];
  for (const r of resources) {
    for (const version of r.versions) {
      const key = `${version}.${r.group}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push({ group: r.group, version, versionPriority: overrides[version] ?? defaultPriority });
    }
  }
  return result;
}

function resolveExternal(
  options: AggregatedApiServerOptions,
  securePort: number,
  problems: string[],
): ResolvedExternal | undefined {
  const external = options.external;
  if (!external) return undefined;
  const port = external.port ?? securePort;
  const portProblem = checkPort('external.port', port);
  if (portProblem) problems.push(portProblem);
  const family = isIP(external.address);
  if (family === 4 || family === 6) {
    const endpoint = checkEndpointIp('external.address', external.address);
    if (endpoint) {
      problems.push(
        `${endpoint}; for a server on the control-plane machine itself use address: "localhost" (rendered as an ExternalName Service the aggregator dials directly), otherwise a routable address of the machine`,
      );
    }
    return { kind: 'ip', address: external.address, addressType: family === 4 ? 'IPv4' : 'IPv6', port };
  }
  const dns = checkDns1123Subdomain('external.address', external.address);
  if (dns) problems.push(`${dns}, or an IP address`);
  return { kind: 'dns', host: external.address, port };
}

function resolveStorage(
  options: AggregatedApiServerOptions,
  replicas: number,
  external: boolean,
  problems: string[],
): ResolvedStorage {
  const storage = options.storage;
  if (external) {
    if (storage) {
      problems.push(
        'storage cannot be combined with external: no server workload is rendered, the external server brings its own storage',
      );
    }
    return { type: 'none' };
  }
  if (!storage || storage.type === 'dedicated-etcd') {
    const members = storage?.members ?? 3;
    if (![1, 3, 5].includes(members)) {
      problems.push(`storage.members must be 1, 3 or 5 (an odd etcd cluster size), got ${members}`);
    }
    const size = storage?.size ?? '4Gi';
    const q = checkQuantity('storage.size', size);
    if (q) problems.push(q);
    const resources = storage?.resources ?? DEFAULT_ETCD_RESOURCES;
    checkComputeResources('storage.resources', resources, problems);
    const backup = storage?.backup === false ? undefined : resolveEtcdBackup(storage?.backup ?? {}, problems);
    const defragmentationSchedule =
      storage?.defragmentationSchedule === false
        ? undefined
        : (storage?.defragmentationSchedule ?? '30 3 * * 0');
    if (defragmentationSchedule !== undefined) {
      const p = checkCronSchedule('storage.defragmentationSchedule', defragmentationSchedule);
      if (p) problems.push(p);
    }
    return {
      type: 'dedicated-etcd',
      members,
      image: storage?.image ?? DEFAULT_ETCD_IMAGE,
      size,
      storageClassName: storage?.storageClassName,
      resources,
      networkPolicy: storage?.networkPolicy ?? true,
      tls: storage?.tls ?? true,
      backup,
      defragmentationSchedule,
    };
  }
  if (storage.type === 'etcd') {
    if (storage.endpoints.length === 0) {
      problems.push(
        'storage.endpoints must list at least one etcd client URL (e.g. https://etcd-0.example:2379)',
      );
    }
    for (const endpoint of storage.endpoints) {
      const e = checkEtcdEndpoint('storage.endpoints entry', endpoint);
      if (e) problems.push(e);
      else if (storage.clientCertificateSecret !== undefined && !endpoint.startsWith('https://')) {
        problems.push(
          `storage.endpoints entry "${endpoint}" must be https:// when storage.clientCertificateSecret is set (the certificate is for TLS)`,
        );
      }
    }
    if (storage.clientCertificateSecret !== undefined) {
      const p = checkDns1123Subdomain('storage.clientCertificateSecret', storage.clientCertificateSecret);
      if (p) problems.push(p);
    }
    return {
      type: 'etcd',
      endpoints: [...storage.endpoints],
      clientCertificateSecret: storage.clientCertificateSecret,
    };
  }
  if (replicas > 1) {
    problems.push(
      `embedded storage keeps the data on one ReadWriteOnce volume and supports a single replica, got replicas: ${replicas}; use storage: { type: "dedicated-etcd" } or { type: "etcd" } for more`,
    );
  }
  const size = storage.size ?? '1Gi';
  const q = checkQuantity('storage.size', size);
  if (q) problems.push(q);
  return { type: 'embedded', size, storageClassName: storage.storageClassName };
}

function resolveEtcdBackup(
  backup: EtcdBackupOptions,
  problems: string[],
): NonNullable<Extract<ResolvedStorage, { type: 'dedicated-etcd' }>['backup']> {
  const schedule = backup.schedule ?? '0 0,6,12,18 * * *';
  const keep = backup.keep ?? 8;
  const size = backup.size ?? '16Gi';
  for (const p of [
    checkCronSchedule('storage.backup.schedule', schedule),
    checkIntegerInRange('storage.backup.keep', keep, 1, 1000),
    checkQuantity('storage.backup.size', size),
  ]) {
    if (p) problems.push(p);
  }
  return { schedule, keep, size, storageClassName: backup.storageClassName };
}

function resolveTls(options: AggregatedApiServerOptions, problems: string[]): ResolvedTls {
  const tls = options.tls ?? { mode: 'self-managed' };
  switch (tls.mode) {
    case 'self-managed': {
      const caValidityDays = tls.caValidityDays ?? 3650;
      const servingValidityDays = tls.servingValidityDays ?? 365;
      const rotationOverlap = tls.rotationOverlap ?? '10m';
      for (const p of [
        checkIntegerInRange('tls.caValidityDays', caValidityDays, 1, 36500),
        checkIntegerInRange('tls.servingValidityDays', servingValidityDays, 1, 36500),
        checkGoDuration('tls.rotationOverlap', rotationOverlap),
      ]) {
        if (p) problems.push(p);
      }
      if (servingValidityDays > caValidityDays) {
        problems.push('tls.servingValidityDays must not exceed tls.caValidityDays');
      }
      const overlapMs = parseGoDuration(rotationOverlap);
      if (overlapMs !== undefined && overlapMs <= SELF_MANAGED_SYNC_PERIOD_MS) {
        problems.push(
          `tls.rotationOverlap must be longer than ${SELF_MANAGED_SYNC_PERIOD_MS / 60_000}m, how often every replica checks its Secret, got ${rotationOverlap}`,
        );
      }
      checkExtraSans(tls.additionalDnsNames, tls.additionalIpAddresses, problems);
      return {
        mode: 'self-managed',
        caValidityDays,
        servingValidityDays,
        rotationOverlap,
        additionalDnsNames: [...(tls.additionalDnsNames ?? [])],
        additionalIpAddresses: [...(tls.additionalIpAddresses ?? [])],
      };
    }
    case 'generated': {
      const caValidityDays = tls.caValidityDays ?? 3650;
      const servingValidityDays = tls.servingValidityDays ?? 365;
      const renewBeforeDays = tls.renewBeforeDays ?? 30;
      for (const p of [
        checkIntegerInRange('tls.caValidityDays', caValidityDays, 1, 36500),
        checkIntegerInRange('tls.servingValidityDays', servingValidityDays, 1, 36500),
        checkIntegerInRange('tls.renewBeforeDays', renewBeforeDays, 0, 36500),
      ]) {
        if (p) problems.push(p);
      }
      if (renewBeforeDays >= servingValidityDays) {
        problems.push('tls.renewBeforeDays must be shorter than tls.servingValidityDays');
      }
      checkExtraSans(tls.additionalDnsNames, tls.additionalIpAddresses, problems);
      return {
        mode: 'generated',
        ca: tls.ca,
        caValidityDays,
        servingValidityDays,
        renewBeforeDays,
        additionalDnsNames: [...(tls.additionalDnsNames ?? [])],
        additionalIpAddresses: [...(tls.additionalIpAddresses ?? [])],
      };
    }
    case 'provided':
      for (const field of ['caCertificatePem', 'certificatePem', 'privateKeyPem'] as const) {
        if (!tls[field] || !tls[field].includes('-----BEGIN'))
          problems.push(`tls.${field} must be a PEM block`);
      }
      return {
        mode: 'provided',
        caCertificatePem: tls.caCertificatePem,
        certificatePem: tls.certificatePem,
        privateKeyPem: tls.privateKeyPem,
      };
    case 'cert-manager': {
      const duration = tls.duration ?? '8760h';
      const renewBefore = tls.renewBefore ?? '720h';
      const caDuration = tls.caDuration ?? '87600h';
      for (const p of [
        checkGoDuration('tls.duration', duration),
        checkGoDuration('tls.renewBefore', renewBefore),
        checkGoDuration('tls.caDuration', caDuration),
      ]) {
        if (p) problems.push(p);
      }
      if (tls.issuerRef) {
        const n = checkDns1123Subdomain('tls.issuerRef.name', tls.issuerRef.name);
        if (n) problems.push(n);
      }
      checkExtraSans(tls.additionalDnsNames, tls.additionalIpAddresses, problems);
      return {
        mode: 'cert-manager',
        issuerRef: tls.issuerRef && {
          name: tls.issuerRef.name,
          kind: tls.issuerRef.kind ?? 'Issuer',
          group: tls.issuerRef.group ?? 'cert-manager.io',
        },
        duration,
        renewBefore,
        caDuration,
        additionalDnsNames: [...(tls.additionalDnsNames ?? [])],
        additionalIpAddresses: [...(tls.additionalIpAddresses ?? [])],
      };
    }
    case 'self-signed':
      return { mode: 'self-signed' };
    default: {
      const unknown: { mode?: unknown } = tls;
      problems.push(
        `tls.mode "${String(unknown.mode)}" is not one of self-managed, generated, provided, cert-manager, self-signed`,
      );
      return { mode: 'self-signed' };
    }
  }
}

function checkExtraSans(
  dnsNames: readonly string[] | undefined,
  ipAddresses: readonly string[] | undefined,
  problems: string[],
): void {
  for (const dns of dnsNames ?? []) {
    const p = checkDns1123Subdomain('tls.additionalDnsNames entry', dns);
    if (p) problems.push(p);
  }
  for (const ip of ipAddresses ?? []) {
    const p = checkIpAddress('tls.additionalIpAddresses entry', ip);
    if (p) problems.push(p);
  }
}

function checkComputeResources(what: string, resources: ComputeResources, problems: string[]): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [resource, value] of Object.entries(resources[kind] ?? {})) {
      if (value === undefined) continue;
      const p = checkQuantity(`${what}.${kind}.${resource}`, value);
      if (p) problems.push(p);
    }
  }
}

/** How often a self-managed server checks its Secret (the server's default sync period). */
export const SELF_MANAGED_SYNC_PERIOD_MS = serverFlagSpecs.selfManagedTlsSyncPeriod.default;

/**
 * `extraArgs` against the server's own flag table: every entry is a flag the server has, in
 * `--name=value` form (or a boolean `--name`), and none is one the construct sets itself.
 */
function checkExtraArgs(extraArgs: readonly string[], problems: string[]): void {
  for (const arg of extraArgs) {
    const match = /^--([^=]+)(=.*)?$/s.exec(arg);
    if (!match) {
      problems.push(`extraArgs entry "${arg}" must be a flag such as --name=value`);
      continue;
    }
    const name = match[1];
    const reason = Object.hasOwn(MANAGED_FLAGS, name) ? MANAGED_FLAGS[name] : undefined;
    const spec = SERVER_FLAGS.get(name);
    if (reason) problems.push(`extraArgs must not set --${name}: the construct sets it (${reason})`);
    else if (!spec) {
      problems.push(
        `extraArgs entry "${arg}": the server has no flag --${name} (aggregated-apiserver --help lists them)`,
      );
    } else if (match[2] === undefined && !spec.isBoolean) {
      problems.push(`extraArgs entry "${arg}" needs a value: --${name}=<value>`);
    } else if (match[2] !== undefined) {
      try {
        spec.parse(match[2].slice(1));
      } catch (error) {
        problems.push(`extraArgs entry "${arg}": ${(error as Error).message}`);
      }
    }
  }
}
