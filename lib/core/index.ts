/**
 * Framework-neutral rendering of an aggregated API server deployment: options, validation,
 * defaults, and every Kubernetes object as plain JSON. The cdk8s construct (lib/cdk8s) and the
 * Pulumi component (lib/pulumi) are thin realizations of what this module decides.
 */
export * from './api-service.js';
export * from './audit-policy.js';
export * from './cert-manager.js';
export * from './certificate.js';
export * from './collector.js';
export * from './compute-resources.js';
export * from './config.js';
export * from './config-map-file.js';
export * from './disruption-budget.js';
export * from './errors.js';
export * from './etcd.js';
export * from './etcd-maintenance.js';
export * from './identity.js';
export * from './k8s-types.js';
export * from './labels.js';
export * from './manifests.js';
export * from './monitoring.js';
export * from './names.js';
export * from './object-roles.js';
export * from './options.js';
export * from './rbac.js';
export * from './resource-definitions.js';
export * from './scheduling.js';
export * from './security-context.js';
export * from './served-resources.js';
export * from './server-container.js';
export * from './server-workload.js';
export * from './service.js';
export * from './serving-secret.js';
export * from './stock-image.js';
export * from './tls-material.js';
export * from './validation.js';
export * from './version.js';
