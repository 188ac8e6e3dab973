import type { V1Service } from '@kubernetes/client-node';
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Manifest } from '../core/index.js';
import { kubeIntOrString, metadataOf, overlay } from './metadata.js';

/**
 * A cdk8s-plus Service that synthesizes exactly the Service lib/core rendered: type, external
 * name, cluster IP, ports (named target ports included, which cdk8s-plus cannot express),
 * selector (or none), and publishNotReadyAddresses.
 */
export function serviceFromManifest(scope: Construct, id: string, m: Manifest<V1Service>): kplus.Service {
  const spec = m.spec ?? {};
  const svc = new kplus.Service(scope, id, {
    metadata: metadataOf(m.metadata),
    type: spec.type as kplus.ServiceType | undefined,
    externalName: spec.externalName,
    clusterIP: spec.clusterIP,
    ports: (spec.ports ?? []).map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol as kplus.Protocol | undefined,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : undefined,
    })),
  });
  for (const [key, value] of Object.entries(spec.selector ?? {})) svc.selectLabel(key, value);
  // Without selector (external mode) the endpoints come from an EndpointSlice: say so plainly
  // instead of cdk8s-plus's empty selector.
  if (!spec.selector && spec.type !== 'ExternalName') {
    ApiObject.of(svc).addJsonPatch(JsonPatch.remove('/spec/selector'));
  }
  (spec.ports ?? []).forEach((p, i) => {
    if (typeof p.targetPort === 'string')
      overlay(svc, `/spec/ports/${i}/targetPort`, kubeIntOrString(p.targetPort));
  });
  overlay(svc, '/spec/publishNotReadyAddresses', spec.publishNotReadyAddresses);
  return svc;
}
