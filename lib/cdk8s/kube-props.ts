import type { V1APIService, V1EndpointSlice, V1PodDisruptionBudget, V1Secret } from '@kubernetes/client-node';
import { k8s } from 'cdk8s-plus-27';
import type { Manifest } from '../core/index.js';
import { metadataOf } from './metadata.js';

/**
 * Props of the generated `k8s` classes (bundled with cdk8s-plus-27) for the kinds cdk8s-plus has
 * no construct for. Those classes spell some fields their own way (`insecureSkipTlsVerify`,
 * IntOrString objects), hence these typed conversions from the core objects.
 */

/** KubeApiService props from a core APIService. */
export function apiServiceProps(m: Manifest<V1APIService>): k8s.KubeApiServiceProps {
  const spec = m.spec;
  if (!spec) throw new Error(`APIService ${m.metadata.name} has no spec`);
  return {
    metadata: metadataOf(m.metadata),
    spec: {
      group: spec.group,
      version: spec.version,
      groupPriorityMinimum: spec.groupPriorityMinimum,
      versionPriority: spec.versionPriority,
      service: spec.service && {
        name: required(spec.service.name, 'spec.service.name'),
        namespace: required(spec.service.namespace, 'spec.service.namespace'),
        port: spec.service.port,
      },
      caBundle: spec.caBundle,
      insecureSkipTlsVerify: spec.insecureSkipTLSVerify,
    },
  };
}

/** KubePodDisruptionBudget props from a core PodDisruptionBudget. */
export function podDisruptionBudgetProps(
  m: Manifest<V1PodDisruptionBudget>,
): k8s.KubePodDisruptionBudgetProps {
  const spec = m.spec ?? {};
  const intOrString = (v: number | string | undefined) =>
    v === undefined
      ? undefined
      : typeof v === 'number'
        ? k8s.IntOrString.fromNumber(v)
        : k8s.IntOrString.fromString(v);
  return {
    metadata: metadataOf(m.metadata),
    spec: {
      maxUnavailable: intOrString(spec.maxUnavailable),
      minAvailable: intOrString(spec.minAvailable),
      selector: spec.selector && { matchLabels: spec.selector.matchLabels },
      unhealthyPodEvictionPolicy: spec.unhealthyPodEvictionPolicy,
    },
  };
}

/** KubeEndpointSlice props from a core EndpointSlice. */
export function endpointSliceProps(m: Manifest<V1EndpointSlice>): k8s.KubeEndpointSliceProps {
  return {
    metadata: metadataOf(m.metadata),
    addressType: m.addressType,
    endpoints: m.endpoints.map((e) => ({
      addresses: [...e.addresses],
      conditions: e.conditions && { ...e.conditions },
    })),
    ports: m.ports?.map((p) => ({
      name: p.name,
      port: required(p.port, 'ports[].port'),
      protocol: p.protocol,
    })),
  };
}

/** KubeSecret props from a core Secret. */
export function secretProps(m: Manifest<V1Secret>): k8s.KubeSecretProps {
  return { metadata: metadataOf(m.metadata), type: m.type, data: m.data && { ...m.data } };
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`${field} is required`);
  return value;
}
