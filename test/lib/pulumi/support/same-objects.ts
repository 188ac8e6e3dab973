import type { AnyManifest } from '../../../../lib/core/index.js';
import { WAIT_FOR_ANNOTATION } from '../../../../lib/pulumi/index.js';
import { expectCdk8sObjects } from '../../support/parity.js';

/**
 * Compares what the Pulumi component deploys with what the cdk8s construct synthesizes: same
 * kinds, names, namespaces, order and fields. Ignored: certificate bytes (each tool makes its own
 * CA) and Pulumi's await annotation.
 */

/** Paths whose values are certificate bytes (or derived from them): compared by presence only. */
const CERTIFICATE_BYTES = [
  /^data\.(ca\.crt|tls\.crt|tls\.key)$/,
  /^spec\.caBundle$/,
  /^spec\.template\.metadata\.annotations\.checksum\/serving-cert$/,
];

/** A JSON copy without Pulumi's await annotation (tool-specific). */
export function withoutAwaitAnnotation(object: AnyManifest): AnyManifest {
  const copy = JSON.parse(JSON.stringify(object)) as AnyManifest;
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[WAIT_FOR_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

/** Expects the Pulumi objects to be the cdk8s objects (see the module comment). */
export function expectSameObjects(pulumi: readonly AnyManifest[], cdk8s: readonly AnyManifest[]): void {
  expectCdk8sObjects(cdk8s.map(withoutAwaitAnnotation), pulumi.map(withoutAwaitAnnotation), {
    presenceOnly: CERTIFICATE_BYTES,
  });
}
