import type { WithInputLeaves } from './late-bound-values.js';
import type { ObjectMeta } from '../core/index.js';

/**
 * pulumi-kubernetes waits until an object with this annotation meets the condition before it
 * reports it created, so the objects that depend on it (and the end of `pulumi up`) wait too.
 * Tool-specific: the cdk8s construct does not render it.
 */
export const WAIT_FOR_ANNOTATION = 'pulumi.com/waitFor';

/**
 * An APIService is served once the aggregator reports it Available (its backend answers and the
 * caBundle verifies the serving certificate); pulumi-kubernetes has no awaiter of its own for it.
 */
export const API_SERVICE_READY = 'condition=Available';

/**
 * cert-manager Issuers and Certificates report Ready once usable (a Certificate once its Secret
 * holds the issued certificate), so the server pods are only rolled out with their Secret there.
 */
export const CERT_MANAGER_READY = 'condition=Ready';

/** The metadata with `pulumi.com/waitFor: <condition>` added to its annotations. */
export function waitingFor(
  metadata: WithInputLeaves<ObjectMeta>,
  condition: string,
): WithInputLeaves<ObjectMeta> {
  return { ...metadata, annotations: { ...metadata.annotations, [WAIT_FOR_ANNOTATION]: condition } };
}
