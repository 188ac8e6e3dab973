import type { AggregatedApiServerConfig } from './config.js';

/** The components of a deployment, as in `app.kubernetes.io/component`. */
export type Component = 'apiserver' | 'etcd' | 'etcd-maintenance';

/** Value of `app.kubernetes.io/name` on every object. */
export const APP_NAME = 'aggregated-apiserver';

/**
 * Labels that select a component's pods. They depend on the deployment name and component only,
 * never on a construct path: a Deployment's selector is immutable.
 */
export function selectorLabels(
  config: Pick<AggregatedApiServerConfig, 'name'>,
  component: Component,
): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': config.name,
    'app.kubernetes.io/component': component,
  };
}

/** Labels on every object of a deployment (and on pod templates): the user's, then ours. */
export function objectLabels(
  config: Pick<AggregatedApiServerConfig, 'name' | 'labels'>,
  component?: Component,
): Record<string, string> {
  return {
    ...config.labels,
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': config.name,
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/part-of': APP_NAME,
  };
}

/** Labels that aggregate a ClusterRole into the built-in view, edit and admin roles. */
export const AGGREGATE_TO = {
  view: 'rbac.authorization.k8s.io/aggregate-to-view',
  edit: 'rbac.authorization.k8s.io/aggregate-to-edit',
  admin: 'rbac.authorization.k8s.io/aggregate-to-admin',
} as const;
