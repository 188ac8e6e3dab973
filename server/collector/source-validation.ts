import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionPlugin } from '../admission/admission-plugin.js';
import { errors } from '../api/errors.js';

function sourceOf(object: KubeObject | undefined): unknown {
  const spec = object?.spec;
  return spec !== null && typeof spec === 'object' ? (spec as Record<string, unknown>).source : undefined;
}

/**
 * Refuses a MetricSnapshot whose `spec.source` the server cannot collect from, naming the ones it
 * can, in kube's words for an unsupported value. The list lives with the sources the server was
 * built with, not in the resource's schema: servers with other sources serve the same definition.
 * An update that leaves an unsupported source as it was is let through (as kube ratchets
 * validation), so that objects written before a source was removed can still be changed.
 */
export function sourceValidation(resource: ResourceDefinition, sources: readonly string[]): AdmissionPlugin {
  const supported = [...sources].sort();
  return {
    name: 'MetricSnapshotSource',
    validate: async (attributes) => {
      if (attributes.definition.group !== resource.group || attributes.definition.plural !== resource.plural)
        return;
      if (attributes.subresource || attributes.operation === 'DELETE') return;
      const source = sourceOf(attributes.object);
      if (typeof source !== 'string' || supported.includes(source)) return;
      if (attributes.operation === 'UPDATE' && sourceOf(attributes.oldObject) === source) return;
      throw errors.invalid(resource.kind, resource.group, attributes.name, [
        {
          reason: 'FieldValueNotSupported',
          field: 'spec.source',
          message: `Unsupported value: ${JSON.stringify(source)}: supported values: ${supported
            .map((s) => JSON.stringify(s))
            .join(', ')}`,
        },
      ]);
    },
  };
}
