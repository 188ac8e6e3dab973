import type { Manifest, V1EndpointSlice, V1Service } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';
import { objectLabels, selectorLabels } from './labels.js';
import { objectNames } from './names.js';
import { HTTPS_PORT_NAME, SERVICE_PORT } from './server-container.js';

/** Value of `endpointslice.kubernetes.io/managed-by` on the EndpointSlice of external mode. */
export const ENDPOINT_SLICE_MANAGER = 'aggregated-apiserver';

/**
 * The Service the APIServices point at.
 * - in-cluster: ClusterIP, port 443 named `https` targeting the container port named `https`;
 * - external IP: the same port, without selector (the EndpointSlice supplies the address);
 * - external DNS name: `ExternalName` (the aggregator dials `<host>:<port>` directly).
 */
export function serverService(config: AggregatedApiServerConfig): Manifest<V1Service> {
  const names = objectNames(config);
  const metadata = {
    name: names.service,
    namespace: config.namespace,
    labels: objectLabels(config, 'apiserver'),
  };
  const external = config.external;
  if (external?.kind === 'dns') {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { type: 'ExternalName', externalName: external.host },
    };
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      ports: [
        {
          name: HTTPS_PORT_NAME,
          port: SERVICE_PORT,
          targetPort: external ? external.port : HTTPS_PORT_NAME,
          protocol: 'TCP',
        },
      ],
      ...(external ? {} : { selector: selectorLabels(config, 'apiserver') }),
    },
  };
}

/** The port the APIServices name (spec.service.port). */
export function apiServicePort(config: AggregatedApiServerConfig): number {
  return config.external?.kind === 'dns' ? config.external.port : SERVICE_PORT;
}

/**
 * External IP mode: the EndpointSlice of the selector-less Service. It carries the Service port's
 * name, which is what the aggregator (and its availability check from Kubernetes 1.34) matches.
 */
export function externalEndpointSlice(
  config: AggregatedApiServerConfig,
): Manifest<V1EndpointSlice> | undefined {
  const external = config.external;
  if (external?.kind !== 'ip') return undefined;
  const names = objectNames(config);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: names.endpointSlice,
      namespace: config.namespace,
      labels: {
        ...objectLabels(config, 'apiserver'),
        'kubernetes.io/service-name': names.service,
        'endpointslice.kubernetes.io/managed-by': ENDPOINT_SLICE_MANAGER,
      },
    },
    addressType: external.addressType,
    ports: [{ name: HTTPS_PORT_NAME, port: external.port, protocol: 'TCP' }],
    endpoints: [{ addresses: [external.address], conditions: { ready: true } }],
  };
}
