import type { AnyManifest } from '../../../../lib/core/index.js';
import { WAIT_FOR_ANNOTATION } from '../../../../lib/pulumi/index.js';

/**
 * Compares what the Pulumi component deploys with what the cdk8s construct synthesizes: same
 * kinds, names, namespaces, order and fields. Ignored: certificate bytes (each tool makes its own
 * CA), Pulumi's await annotation, and the Kubernetes defaults cdk8s-plus spells out (as in
 * test/lib/cdk8s/parity.test.ts).
 */

const KUBERNETES_DEFAULTS_ADDED_BY_CDK8S_PLUS: [RegExp, unknown][] = [
  [/^spec\.minReadySeconds$/, 0],
  [/^spec\.progressDeadlineSeconds$/, 600],
  [/^spec\.template\.spec\.dnsPolicy$/, 'ClusterFirst'],
  [/^spec\.template\.spec\.hostNetwork$/, false],
  [/^spec\.template\.spec\.restartPolicy$/, 'Always'],
  [/^spec\.template\.spec\.setHostnameAsFQDN$/, false],
  [/^spec\.template\.spec\.terminationGracePeriodSeconds$/, 30],
  [/^spec\.template\.spec\.volumes\.\d+\.persistentVolumeClaim\.readOnly$/, false],
  [/^spec\.externalIPs$/, []],
  [/^spec$/, {}], // Namespace
];

/** Paths whose values are certificate bytes (or derived from them): compared by presence only. */
const CERTIFICATE_BYTES = [
  /^data\.(ca\.crt|tls\.crt|tls\.key)$/,
  /^spec\.caBundle$/,
  /^spec\.template\.metadata\.annotations\.checksum\/serving-cert$/,
];

type Json = Record<string, unknown>;

/** `<kind> <namespace>/<name>`. */
export function identity(o: AnyManifest): string {
  return `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

/** A JSON copy without Pulumi's await annotation (tool-specific). */
export function withoutAwaitAnnotation(object: AnyManifest): Json {
  const copy = JSON.parse(JSON.stringify(object)) as Json & {
    metadata: { annotations?: Record<string, string> };
  };
  if (copy.metadata.annotations) {
    delete copy.metadata.annotations[WAIT_FOR_ANNOTATION];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

/** Expects the Pulumi objects to be the cdk8s objects (see the module comment). */
export function expectSameObjects(pulumi: readonly AnyManifest[], cdk8s: readonly AnyManifest[]): void {
  expect(pulumi.map(identity)).toEqual(cdk8s.map(identity));
  pulumi.forEach((pulumiObject, i) => {
    const where = identity(pulumiObject);
    const expected = leaves(comparable(pulumiObject), '', new Map());
    const actual = leaves(comparable(cdk8s[i]), '', new Map());
    for (const [path, value] of expected) {
      expect({ where, path, value: actual.get(path) }).toEqual({ where, path, value });
    }
    for (const [path, value] of actual) {
      if (expected.has(path)) continue;
      const allowed = KUBERNETES_DEFAULTS_ADDED_BY_CDK8S_PLUS.find(([re]) => re.test(path));
      expect({ where, extra: path, value }).toEqual({
        where,
        extra: path,
        value: allowed ? allowed[1] : '<not allowed>',
      });
    }
  });
}

/** withoutAwaitAnnotation, RBAC rules as a set (cdk8s-plus writes one rule per resource). */
function comparable(object: AnyManifest): Json {
  const copy = withoutAwaitAnnotation(object);
  if (!['ClusterRole', 'Role'].includes(String(copy.kind))) return copy;
  const rules =
    (copy.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[] | undefined) ?? [];
  const tuples = rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}|${res}|${[...r.verbs].sort().join(',')}`)),
  );
  return { ...copy, rules: [...new Set(tuples)].sort() };
}

function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, []);
    value.forEach((v, i) => leaves(v, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, {});
    for (const [k, v] of entries) leaves(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, CERTIFICATE_BYTES.some((re) => re.test(path)) ? '<certificate bytes>' : value);
  }
  return out;
}
