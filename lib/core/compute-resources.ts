import type { V1ResourceRequirements } from './k8s-types.js';
import type { ComputeResources, ResourceQuantities } from './options.js';

/** Container resource requirements from ComputeResources, leaving out what is unset. */
export function resourceRequirements(resources: ComputeResources): V1ResourceRequirements {
  const result: V1ResourceRequirements = {};
  const requests = quantities(resources.requests);
  const limits = quantities(resources.limits);
  if (limits) result.limits = limits;
  if (requests) result.requests = requests;
  return result;
}

function quantities(q: ResourceQuantities | undefined): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  if (q?.cpu !== undefined) result.cpu = q.cpu;
  if (q?.memory !== undefined) result.memory = q.memory;
  return Object.keys(result).length > 0 ? result : undefined;
}
