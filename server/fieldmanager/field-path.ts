import { isJsonObject, type JsonValue } from '../util/json-value.js';
import { compareStrings, goJson } from '../util/go-json.js';

/**
 * One step of a field path, as structured-merge-diff names them (fieldpath.PathElement):
 * a struct field or map key (`f:`), a map-list item by its key fields (`k:`), a set item by
 * its value (`v:`), or a list index (`i:`, never produced for the lists this server tracks).
 */
export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: readonly (readonly [string, JsonValue])[] }
  | { readonly kind: 'value'; readonly value: JsonValue }
  | { readonly kind: 'index'; readonly index: number };

export type FieldPath = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return { kind: 'field', name };
}

/** A map-list item element; the key fields are sorted by name, as in FieldsV1. */
export function keyElement(fields: Iterable<readonly [string, JsonValue]>): PathElement {
  const sorted = [...fields].sort((a, b) => compareStrings(a[0], b[0]));
  return { kind: 'key', fields: sorted };
}

export function valueElement(value: JsonValue): PathElement {
  return { kind: 'value', value };
}

/**
 * The FieldsV1 key of an element: `f:name`, `k:{"name":"a"}`, `v:"x"`, `i:0`. Values are
 * written as Go's encoding/json writes them, so keys match kube-apiserver's byte for byte.
 */
export function serializePathElement(element: PathElement): string {
  switch (element.kind) {
    case 'field':
      return `f:${element.name}`;
    case 'key':
      return `k:{${element.fields.map(([name, value]) => `${goJson(name)}:${goJson(value)}`).join(',')}}`;
    case 'value':
      return `v:${goJson(element.value)}`;
    case 'index':
      return `i:${element.index}`;
  }
}

/**
 * Parses a FieldsV1 key. Returns undefined for element types this version does not know
 * (structured-merge-diff skips those too); throws on malformed keys.
 */
export function deserializePathElement(text: string): PathElement | undefined {
  if (text.length < 2 || text[1] !== ':')
    throw new Error(`invalid field path element ${JSON.stringify(text)}`);
  const body = text.slice(2);
  switch (text[0]) {
    case 'f':
      return fieldElement(body);
    case 'v':
      return valueElement(JSON.parse(body) as JsonValue);
    case 'k': {
      const parsed: unknown = JSON.parse(body);
      if (!isJsonObject(parsed)) throw new Error(`invalid key element ${JSON.stringify(text)}`);
      return keyElement(Object.entries(parsed));
    }
    case 'i': {
      const index = Number(body);
      if (!Number.isInteger(index)) throw new Error(`invalid index element ${JSON.stringify(text)}`);
      return { kind: 'index', index };
    }
    default:
      return undefined;
  }
}

/** The human form used in conflict messages: `.spec.targets[name="a"].port`, `.spec.metrics[="cpu"]`. */
export function fieldPathString(path: FieldPath): string {
  return path.map(elementString).join('');
}

function elementString(element: PathElement): string {
  switch (element.kind) {
    case 'field':
      return `.${element.name}`;
    case 'key':
      return `[${element.fields.map(([name, value]) => `${name}=${valueString(value)}`).join(',')}]`;
    case 'value':
      return `[=${valueString(element.value)}]`;
    case 'index':
      return `[${element.index}]`;
  }
}

function valueString(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return goJson(value);
  return String(value);
}

/** structured-merge-diff's total order of elements: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const rank = { field: 0, key: 1, value: 2, index: 3 } as const;
  if (a.kind !== b.kind) return rank[a.kind] - rank[b.kind];
  if (a.kind === 'field' && b.kind === 'field') return compareStrings(a.name, b.name);
  if (a.kind === 'key' && b.kind === 'key') return compareKeyFields(a.fields, b.fields);
  if (a.kind === 'value' && b.kind === 'value') return compareValues(a.value, b.value);
  if (a.kind === 'index' && b.kind === 'index') return Math.sign(a.index - b.index);
  return 0;
}

function compareKeyFields(
  a: readonly (readonly [string, JsonValue])[],
  b: readonly (readonly [string, JsonValue])[],
): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const byName = compareStrings(a[i][0], b[i][0]);
    if (byName !== 0) return byName;
    const byValue = compareValues(a[i][1], b[i][1]);
    if (byValue !== 0) return byValue;
  }
}

/** structured-merge-diff's total order of values: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const rank = (value: JsonValue): number => {
    if (typeof value === 'number') return 0;
    if (typeof value === 'string') return 1;
    if (typeof value === 'boolean') return 2;
    if (Array.isArray(value)) return 3;
    if (value !== null) return 4;
    return 5;
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - b.length);
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).sort(compareStrings);
    const kb = Object.keys(b).sort(compareStrings);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const byName = compareStrings(ka[i], kb[i]);
      if (byName !== 0) return byName;
      const byValue = compareValues(a[ka[i]], b[kb[i]]);
      if (byValue !== 0) return byValue;
    }
    return Math.sign(ka.length - kb.length);
  }
  return 0;
}
