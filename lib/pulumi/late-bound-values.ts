import * as pulumi from '@pulumi/pulumi';

/**
 * T with every primitive leaf possibly a `pulumi.Input`: the shape of lib/core's objects once the
 * fields that depend on Outputs (certificates, keys, the image) have been replaced by them. Every
 * @pulumi/kubernetes argument accepts Inputs at any depth, so this shape passes straight through.
 */
export type WithInputLeaves<T> = T extends null | undefined
  ? T
  : T extends string | number | boolean
    ? pulumi.Input<T>
    : T extends Date
      ? pulumi.Input<string>
      : T extends readonly (infer E)[]
        ? WithInputLeaves<E>[]
        : { [K in keyof T]: WithInputLeaves<T[K]> };

/** What bindLateValues returns. */
export interface LateBinding<T> {
  /**
   * The render with placeholders for the late values: which objects exist, their names, and every
   * field that does not depend on a late value. Never deploy it; it identifies the objects.
   */
  readonly structure: T;
  /** The same objects, each field that depends on late values an Output of exactly those values. */
  readonly bound: WithInputLeaves<T>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/**
 * Runs a pure, synchronous renderer (lib/core's renderManifests) over values that are only known
 * as Outputs, without creating anything inside an `apply`: the objects and their names must be
 * known when the component is constructed, so that previews show them.
 *
 * Which fields depend on which value is not written down here but found out: the renderer runs
 * once with placeholders and once more per value with a different placeholder, and the leaves
 * that change depend on that value. Each such leaf becomes an Output of only the values it reads,
 * so a field derived from a secret (a private key) is secret and one derived from public values
 * (the caBundle from the CA certificate) is not. Plain-string values are rendered directly.
 *
 * The renderer must not let a late value change the shape of its result (which objects or
 * fields exist); that is checked and reported as an internal error.
 */
export function bindLateValues<K extends string, T>(
  values: Readonly<Record<K, pulumi.Input<string>>>,
  render: (values: Readonly<Record<K, string>>) => T,
): LateBinding<T> {
  const keys = Object.keys(values) as K[];
  const placeholders = withValues(
    {} as Record<K, string>,
    keys,
    keys.map((key) => placeholder(key, 'a')),
  );
  const structure = render(placeholders);
  const base = toJson(structure);

  const dependencies = new Map<string, K[]>();
  for (const key of keys) {
    const variant = toJson(render(withValues(placeholders, [key], [placeholder(key, 'b')])));
    for (const path of changedLeaves(base, variant, [], key)) {
      const id = JSON.stringify(path);
      dependencies.set(id, [...(dependencies.get(id) ?? []), key]);
    }
  }

  const renders = new Map<string, pulumi.Output<Json> | Json>();
  const renderWith = (needed: readonly K[]): pulumi.Output<Json> | Json => {
    const id = needed.join('\0');
    let rendered = renders.get(id);
    if (rendered === undefined) {
      const inputs = needed.map((key) => values[key]);
      rendered = inputs.every((v): v is string => typeof v === 'string')
        ? toJson(render(withValues(placeholders, needed, inputs)))
        : pulumi.all(inputs).apply((resolved) => toJson(render(withValues(placeholders, needed, resolved))));
      renders.set(id, rendered);
    }
    return rendered;
  };

  const bind = (node: Json, path: Path): unknown => {
    if (Array.isArray(node)) return node.map((child, i) => bind(child, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, child]) => [k, bind(child, [...path, k])]));
    }
    const needed = dependencies.get(JSON.stringify(path));
    if (!needed) return node;
    const rendered = renderWith(needed);
    return pulumi.Output.isInstance(rendered)
      ? rendered.apply((r) => leafAt(r, path))
      : leafAt(rendered as Json, path);
  };

  // bind() rebuilt `structure` leaf by leaf, replacing only primitives: the shape is T's.
  return { structure, bound: bind(base, []) as WithInputLeaves<T> };
}

function placeholder(key: string, variant: string): string {
  return `<late-bound ${key} ${variant}>`;
}

function withValues<K extends string>(
  base: Readonly<Record<K, string>>,
  keys: readonly K[],
  values: readonly string[],
): Record<K, string> {
  const result = { ...base } as Record<K, string>;
  keys.forEach((key, i) => (result[key] = values[i]));
  return result;
}

function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** The paths of the primitive leaves that differ; throws if the shapes differ. */
function changedLeaves(a: Json, b: Json, path: Path, key: string): Path[] {
  const shapeError = () =>
    new Error(
      `internal: the late-bound value "${key}" changes the shape of the rendered objects at ${JSON.stringify(path)}`,
    );
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) throw shapeError();
    return a.flatMap((child, i) => changedLeaves(child, b[i], [...path, i], key));
  }
  const isObject = (v: Json): v is { [key: string]: Json } => v !== null && typeof v === 'object';
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) throw shapeError();
    const names = Object.keys(a);
    if (names.length !== Object.keys(b).length || !names.every((n) => n in b)) throw shapeError();
    return names.flatMap((n) => changedLeaves(a[n], b[n], [...path, n], key));
  }
  return a === b ? [] : [path];
}

function leafAt(root: Json, path: Path): Json {
  let node = root;
  for (const step of path) {
    if (node === null || typeof node !== 'object') throw new Error(`internal: no value at ${path.join('.')}`);
    node = Array.isArray(node) ? node[Number(step)] : node[String(step)];
  }
  return node;
}
