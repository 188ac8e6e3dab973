import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../util/logger.js';
import type { AdmissionPlugin } from './admission-plugin.js';
import { ClusterNamespaces } from './namespace-lookup.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { ClusterParamSource } from './policy/param-source.js';
import { ClusterPolicySource } from './policy/policy-source.js';
import { ValidatingAdmissionPolicyPlugin } from './policy/validating-admission-policy.js';
import { MutatingAdmissionWebhook } from './webhook/mutating-admission-webhook.js';
import { ClusterWebhookSource } from './webhook/webhook-source.js';
import { ValidatingAdmissionWebhook } from './webhook/validating-admission-webhook.js';

/** The built-in plugins' names in the order they run, as `--disable-admission-plugins` names them. */
export const recommendedPluginOrder = [
  'NamespaceLifecycle',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
] as const;

/**
 * The admission plugins the Go generic apiserver runs for an aggregated server, in its
 * RecommendedPluginOrder: NamespaceLifecycle, MutatingAdmissionWebhook, ValidatingAdmissionPolicy,
 * ValidatingAdmissionWebhook. Each reads the core cluster's configuration through `kubeConfig`.
 */
export function recommendedAdmissionPlugins(kubeConfig: KubeConfig, log: Logger): AdmissionPlugin[] {
  const namespaces = new ClusterNamespaces(kubeConfig, log);
  return [
    new NamespaceLifecycle(kubeConfig, log),
    new MutatingAdmissionWebhook({
      source: new ClusterWebhookSource('mutating', kubeConfig, log),
      namespaces,
      log,
    }),
    new ValidatingAdmissionPolicyPlugin({
      policies: new ClusterPolicySource(kubeConfig, log),
      params: new ClusterParamSource(kubeConfig, log),
      namespaces,
      log,
    }),
    new ValidatingAdmissionWebhook({
      source: new ClusterWebhookSource('validating', kubeConfig, log),
      namespaces,
      log,
    }),
  ];
}
