import type { V1Container, V1Probe, V1Volume, V1VolumeMount } from './k8s-types.js';
import { apiServiceName } from './api-service.js';
import { configMapFileMount, configMapFileVolume, type ConfigMapFile } from './config-map-file.js';
import { resourceArgs, resourceDefinitionsFile } from './resource-definitions.js';
import { auditArgs, auditPolicyFile } from './audit-policy.js';
import { controllerArgs, prometheusVolumeMounts, prometheusVolumes } from './collector.js';
import { servingCertificateSpec } from './certificate.js';
import type { AggregatedApiServerConfig } from './config.js';
import { resourceRequirements } from './compute-resources.js';
import { etcdCertificateHosts, etcdClientUrl } from './etcd.js';
import { objectNames } from './names.js';
import { containerSecurityContext } from './security-context.js';

/** Name of the server container. */
export const SERVER_CONTAINER_NAME = 'apiserver';
/** Name of the server's container port (and of the Service port that targets it). */
export const HTTPS_PORT_NAME = 'https';
/** The Service port the aggregator dials (APIService spec.service.port). */
export const SERVICE_PORT = 443;
/** Where the serving Secret is mounted. */
export const SERVING_CERT_DIR = '/var/run/apiserver/serving';
/** `--cert-dir`: where the server writes a certificate it makes (self-signed, self-managed). */
export const CERT_DIR = '/var/run/apiserver';
/** `--data-dir` of embedded storage. */
export const DATA_DIR = '/var/lib/aggregated-apiserver';
/** Names of the pod volumes. */
export const VOLUME_NAMES = {
  servingCert: 'serving-cert',
  certDir: 'cert-dir',
  tmp: 'tmp',
  data: 'data',
  etcdClient: 'etcd-client',
} as const;
/** Where the client certificate Secret of `storage: { type: 'etcd' }` is mounted. */
export const ETCD_CLIENT_DIR = '/var/run/etcd-client';
/** Mode of the mounted serving Secret files: readable by the owner and the pod's fsGroup only. */
export const SERVING_CERT_MODE = 0o440;

/** Where the server stores objects, as server flags. */
export function storageArgs(config: AggregatedApiServerConfig): string[] {
  switch (config.storage.type) {
    case 'embedded':
      return [`--data-dir=${DATA_DIR}`];
    case 'etcd':
      return [
        `--etcd-servers=${config.storage.endpoints.join(',')}`,
        ...(config.storage.clientCertificateSecret
          ? [
              `--etcd-cafile=${ETCD_CLIENT_DIR}/ca.crt`,
              `--etcd-certfile=${ETCD_CLIENT_DIR}/tls.crt`,
              `--etcd-keyfile=${ETCD_CLIENT_DIR}/tls.key`,
            ]
          : []),
      ];
    case 'dedicated-etcd':
      return [
        `--etcd-servers=${etcdClientUrl(config)}`,
        ...(config.storage.tls
          ? [
              `--self-managed-etcd-tls-secret=${config.namespace}/${objectNames(config).etcdTlsSecret}`,
              `--self-managed-etcd-tls-member-hosts=${etcdCertificateHosts(config).join(',')}`,
            ]
          : []),
      ];
    case 'none':
      return [];
  }
}

/** How the server gets its serving certificate, as server flags. */
export function tlsArgs(config: AggregatedApiServerConfig): string[] {
  const tls = config.tls;
  switch (tls.mode) {
    case 'self-signed':
      return [`--cert-dir=${CERT_DIR}`];
    case 'self-managed': {
      const spec = servingCertificateSpec(config);
      return [
        `--cert-dir=${CERT_DIR}`,
        `--self-managed-tls-secret=${config.namespace}/${objectNames(config).servingSecret}`,
        `--self-managed-tls-apiservices=${config.groupVersions.map(apiServiceName).join(',')}`,
        `--self-managed-tls-hosts=${[...spec.dnsNames, ...spec.ipAddresses].join(',')}`,
        `--self-managed-tls-ca-validity=${tls.caValidityDays * 24}h`,
        `--self-managed-tls-validity=${tls.servingValidityDays * 24}h`,
        `--self-managed-tls-rotation-overlap=${tls.rotationOverlap}`,
      ];
    }
    default:
      return [
        ...(needsCertDir(config) ? [`--cert-dir=${CERT_DIR}`] : []),
        `--tls-cert-file=${SERVING_CERT_DIR}/tls.crt`,
        `--tls-private-key-file=${SERVING_CERT_DIR}/tls.key`,
      ];
  }
}

/**
 * The server's flags (Kubernetes generic API server flags), in a fixed order: port, serving
 * certificate, storage, verbosity, the resources it serves, leader election and Prometheus, audit,
 * then `extraArgs` verbatim. Run an external server with them (it reads the declarative
 * definitions and the audit policy from the files the flags name: write the ConfigMaps' data
 * there).
 */
export function serverArgs(config: AggregatedApiServerConfig): string[] {
  return [
    `--secure-port=${config.securePort}`,
    ...tlsArgs(config),
    ...storageArgs(config),
    `--v=${config.verbosity}`,
    ...resourceArgs(config),
    ...controllerArgs(config),
    ...auditArgs(config),
    ...config.extraArgs,
  ];
}

/** Whether the serving certificate comes mounted from the serving Secret (generated, provided, cert-manager). */
function servesFromSecret(config: AggregatedApiServerConfig): boolean {
  return config.tls.mode !== 'self-signed' && config.tls.mode !== 'self-managed';
}

/**
 * Whether the server writes certificates into a writable `--cert-dir`: its own (self-signed,
 * self-managed) or its dedicated etcd's client files.
 */
function needsCertDir(config: AggregatedApiServerConfig): boolean {
  return (
    config.tls.mode === 'self-signed' ||
    config.tls.mode === 'self-managed' ||
    (config.storage.type === 'dedicated-etcd' && config.storage.tls)
  );
}

function httpsProbe(
  config: AggregatedApiServerConfig,
  path: string,
  periodSeconds: number,
  failureThreshold: number,
): V1Probe {
  return {
    httpGet: { path, port: config.securePort, scheme: 'HTTPS' },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  };
}

/** Startup (up to 2.5 min, e.g. while etcd elects a leader), liveness and readiness probes. */
export function serverProbes(
  config: AggregatedApiServerConfig,
): Pick<V1Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  return {
    startupProbe: httpsProbe(config, '/livez', 5, 30),
    livenessProbe: httpsProbe(config, '/livez', 10, 3),
    readinessProbe: httpsProbe(config, '/readyz', 5, 3),
  };
}

/**
 * Pod volumes of the server: the serving Secret, or a writable in-memory cert dir when the server
 * makes its certificate itself (self-signed, self-managed: the key never reaches the node's
 * disk), a writable /tmp (the root filesystem is read-only), the data volume of embedded
 * storage or the etcd client certificate, the files the server reads from ConfigMaps and
 * Prometheus' token and CA. The order
 * matches the container's mounts.
 */
export function serverVolumes(config: AggregatedApiServerConfig): V1Volume[] {
  const names = objectNames(config);
  const volumes: V1Volume[] = [];
  if (needsCertDir(config)) {
    volumes.push({ name: VOLUME_NAMES.certDir, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  }
  if (servesFromSecret(config)) {
    volumes.push({
      name: VOLUME_NAMES.servingCert,
      secret: { secretName: names.servingSecret, defaultMode: SERVING_CERT_MODE },
    });
  }
  volumes.push({ name: VOLUME_NAMES.tmp, emptyDir: {} });
  if (config.storage.type === 'embedded') {
    volumes.push({ name: VOLUME_NAMES.data, persistentVolumeClaim: { claimName: names.dataVolumeClaim } });
  }
  if (config.storage.type === 'etcd' && config.storage.clientCertificateSecret) {
    volumes.push({
      name: VOLUME_NAMES.etcdClient,
      secret: { secretName: config.storage.clientCertificateSecret, defaultMode: SERVING_CERT_MODE },
    });
  }
  volumes.push(...configMapFiles(config).map(configMapFileVolume), ...prometheusVolumes(config));
  return volumes;
}

/** The files from ConfigMaps the server reads at startup. */
export function configMapFiles(config: AggregatedApiServerConfig): ConfigMapFile[] {
  return [resourceDefinitionsFile(config), auditPolicyFile(config)].filter(
    (f): f is ConfigMapFile => f !== undefined,
  );
}

/** Mounts of the server container, in the order of serverVolumes. */
export function serverVolumeMounts(config: AggregatedApiServerConfig): V1VolumeMount[] {
  const mounts: V1VolumeMount[] = [];
  if (needsCertDir(config)) mounts.push({ name: VOLUME_NAMES.certDir, mountPath: CERT_DIR });
  if (servesFromSecret(config)) {
    mounts.push({ name: VOLUME_NAMES.servingCert, mountPath: SERVING_CERT_DIR, readOnly: true });
  }
  mounts.push({ name: VOLUME_NAMES.tmp, mountPath: '/tmp' });
  if (config.storage.type === 'embedded') mounts.push({ name: VOLUME_NAMES.data, mountPath: DATA_DIR });
  if (config.storage.type === 'etcd' && config.storage.clientCertificateSecret) {
    mounts.push({ name: VOLUME_NAMES.etcdClient, mountPath: ETCD_CLIENT_DIR, readOnly: true });
  }
  mounts.push(...configMapFiles(config).map(configMapFileMount), ...prometheusVolumeMounts(config));
  return mounts;
}

/** The server container. */
export function serverContainer(config: AggregatedApiServerConfig): V1Container {
  return {
    name: SERVER_CONTAINER_NAME,
    image: config.image,
    imagePullPolicy: config.imagePullPolicy,
    args: serverArgs(config),
    ports: [{ name: HTTPS_PORT_NAME, containerPort: config.securePort, protocol: 'TCP' }],
    ...serverProbes(config),
    resources: resourceRequirements(config.containerResources),
    securityContext: containerSecurityContext(),
    volumeMounts: serverVolumeMounts(config),
  };
}
