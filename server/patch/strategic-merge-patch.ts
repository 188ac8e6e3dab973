import { errors } from '../api/errors.js';
import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject } from '../../api/types.js';
import { goJson } from '../util/go-json.js';
import {
  bodyText,
  cloneJson,
  getMember,
  isJsonObject,
  jsonEqual,
  kubeObjectToJson,
  setMember,
  type JsonObject,
  type JsonValue,
} from '../util/json-value.js';
import { asPatchedObject, jsonTypeName, patchUnprocessable } from './patch-errors.js';
import { memberOf, rootShape, type ListPatchStrategy, type Shape } from '../registry/schema-shape.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

// The messages of k8s.io/apimachinery/pkg/util/mergepatch, which kubectl users see.
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/**
 * Applies a strategic merge patch (`application/strategic-merge-patch+json`, kubectl
 * patch's default) to `live`, driven by the schema, and returns a new object.
 *
 * Semantics (k8s.io/apimachinery strategicpatch, server side):
 * - maps merge key by key, `null` deletes; `x-kubernetes-patch-strategy: replace` maps are replaced;
 * - lists with `x-kubernetes-patch-strategy: merge` merge: by `x-kubernetes-patch-merge-key`
 *   for lists of objects, as a union for lists of scalars; lists with
 *   `x-kubernetes-list-type: map` merge by their map keys; every other list is replaced;
 * - `$patch: replace` (in a map or as a list item) replaces instead of merging,
 *   `$patch: delete` empties a map or, as a list item, deletes the item with that key,
 *   `$patch: merge` is accepted in maps;
 * - `$retainKeys: [...]` drops the live keys not listed (every patched key must be listed);
 * - `$deleteFromPrimitiveList/<field>: [...]` removes those values from a list of scalars;
 * - `$setElementOrder/<field>: [...]` orders the merged list (patch order, then live order);
 * - positions without schema information merge like a JSON merge patch.
 * Merged list order follows kube: patched items in patch order, interleaved with the
 * remaining live items in their live order.
 *
 * Errors: a body that is not a JSON object, or a malformed directive, is 400 BadRequest;
 * lists of lists are 422 Invalid, as in kube. (kube answers 500 to a few malformed patches,
 * such as a list item without its merge key; those are 400 here.)
 */
export function applyStrategicMergePatch(
  live: KubeObject,
  patchBody: Buffer | string,
  schema: JSONSchema,
): KubeObject {
  let patch: JsonValue;
  try {
    patch = JSON.parse(bodyText(patchBody)) as JsonValue;
  } catch (error) {
    throw errors.badRequest(error instanceof Error ? error.message : String(error));
  }
  const original = kubeObjectToJson(live);
  if (patch === null) return asPatchedObject(original);
  if (!isJsonObject(patch)) {
    throw errors.badRequest(
      `json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`,
    );
  }
  return asPatchedObject(strategicMergeValue(original, patch, rootShape(schema)));
}

/** The strategic merge of `patch` into `original` (undefined: an absent value) at a position of `shape`. */
export function strategicMergeValue(
  original: JsonObject | undefined,
  patch: JsonObject,
  shape: Shape,
): JsonObject {
  return mergeMap(original, patch, shape);
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, shape: Shape): JsonObject {
  const directive = getMember(patch, DIRECTIVE);
  const pending = new Map<string, JsonValue>(Object.entries(patch));
  if (directive !== undefined) {
    pending.delete(DIRECTIVE);
    if (directive === 'replace') return mergeMap(undefined, Object.fromEntries(pending), shape);
    if (directive === 'delete') return {};
    if (directive !== 'merge')
      throw errors.badRequest(`unknown patch type: ${String(directive)} in map: ${goJson(patch)}`);
  }

  const out: JsonObject = original ? cloneJson(original) : {};
  applyRetainKeys(out, pending);
  applySetElementOrder(out, pending, shape);
  applyDeleteFromPrimitiveLists(out, pending);

  for (const [key, value] of pending) {
    if (value === null) {
      delete out[key];
      continue;
    }
    setMember(out, key, mergeValue(getMember(out, key), value, memberOf(shape, key).shape));
  }
  return out;
}

function mergeValue(current: JsonValue | undefined, patch: JsonValue, shape: Shape): JsonValue {
  if (isJsonObject(patch)) {
    const replace = shape.kind === 'map' && shape.patchReplace;
    return mergeMap(isJsonObject(current) && !replace ? current : undefined, patch, shape);
  }
  if (Array.isArray(patch)) return mergeList(Array.isArray(current) ? current : [], patch, shape);
  return patch;
}

function listStrategy(shape: Shape): ListPatchStrategy {
  return shape.kind === 'list' ? shape.patchStrategy : { kind: 'replace' };
}

function itemShape(shape: Shape): Shape {
  return shape.kind === 'list' ? shape.item : shape;
}

function mergeList(original: JsonValue[], patch: JsonValue[], shape: Shape): JsonValue[] {
  const strategy = listStrategy(shape);
  if (strategy.kind === 'replace') return cloneJson(patch);
  if (original.length === 0 && patch.length === 0) return [];
  if ([...original, ...patch].some((item) => Array.isArray(item))) {
    throw patchUnprocessable('lists of lists are not supported');
  }

  if (strategy.kind === 'merge-scalars') {
    if ([...original, ...patch].some((item) => isJsonObject(item))) {
      throw errors.badRequest(`list element types are not identical: ${goJson(original)} ${goJson(patch)}`);
    }
    const merged: JsonValue[] = [];
    for (const item of [...original, ...patch])
      if (!merged.some((m) => jsonEqual(m, item))) merged.push(item);
    const inPatch = (item: JsonValue): boolean => patch.some((p) => jsonEqual(p, item));
    return normalizeOrder(
      merged.filter(inPatch),
      merged.filter((m) => !inPatch(m)),
      patch,
      original,
      jsonEqual,
    );
  }

  const keys = strategy.keys;
  const same = sameKeys(keys);
  const elementShape = itemShape(shape);
  for (const item of [...original, ...patch]) {
    if (!isJsonObject(item))
      throw errors.badRequest(
        `expected a map as element of a list merged by ${keys.join(',')}, got ${goJson(item)}`,
      );
  }
  const objects = (list: JsonValue[]): JsonObject[] => list.filter(isJsonObject);

  let base = objects(original).map((item) => cloneJson(item));
  let replace = false;
  const regular: JsonObject[] = [];
  for (const item of objects(patch)) {
    const directive = getMember(item, DIRECTIVE);
    if (directive === undefined) {
      regular.push(item);
    } else if (directive === 'delete') {
      requireKeys(item, keys);
      base = base.filter((candidate) => !same(candidate, item));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw errors.badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw errors.badRequest(`unknown patch type: ${String(directive)} in map: ${goJson(item)}`);
    }
  }
  if (replace) return regular.map((item) => mergeMap(undefined, item, elementShape));

  const serverOrder = [...base];
  for (const item of regular) {
    requireKeys(item, keys);
    const index = base.findIndex((candidate) => same(candidate, item));
    if (index >= 0) base[index] = mergeMap(base[index], item, elementShape);
    else base.push(mergeMap(undefined, item, elementShape));
  }
  const inPatch = (item: JsonValue): boolean => regular.some((p) => same(p, item));
  return normalizeOrder(
    base.filter(inPatch),
    base.filter((m) => !inPatch(m)),
    regular,
    serverOrder,
    same,
  );
}

type Same = (a: JsonValue, b: JsonValue) => boolean;

function sameKeys(keys: readonly string[]): Same {
  return (a, b) =>
    isJsonObject(a) &&
    isJsonObject(b) &&
    keys.every((key) => getMember(a, key) !== undefined && jsonEqual(getMember(a, key), getMember(b, key)));
}

function requireKeys(item: JsonObject, keys: readonly string[]): void {
  for (const key of keys) {
    if (getMember(item, key) === undefined) {
      throw errors.badRequest(`map: ${goJson(item)} does not contain declared merge key: ${key}`);
    }
  }
}

/**
 * kube's list ordering: `patchItems` sorted by `patchOrder`, `serverOnly` by `serverOrder`,
 * then interleaved, a live-only item going first when the live list has it before the
 * patched item being placed.
 */
function normalizeOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  same: Same,
): JsonValue[] {
  const indexIn = (list: readonly JsonValue[], item: JsonValue): number =>
    list.findIndex((candidate) => same(candidate, item));
  const sortBy = (items: JsonValue[], order: readonly JsonValue[]): JsonValue[] => {
    const rank = (item: JsonValue): number => {
      const index = indexIn(order, item);
      return index < 0 ? Number.MAX_SAFE_INTEGER : index;
    };
    return items
      .map((item, position) => ({ item, position, rank: rank(item) }))
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map(({ item }) => item);
  };
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i]);
      const ri = indexIn(serverOrder, right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

function applyRetainKeys(out: JsonObject, pending: Map<string, JsonValue>): void {
  if (!pending.has(RETAIN_KEYS)) return;
  const retain = pending.get(RETAIN_KEYS);
  pending.delete(RETAIN_KEYS);
  if (!Array.isArray(retain)) throw errors.badRequest(BAD_RETAIN_KEYS);
  const allowed = new Set(retain.filter((key): key is string => typeof key === 'string'));
  for (const [key, value] of pending) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER))
      continue;
    if (!allowed.has(key)) throw errors.badRequest(BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(out)) if (!allowed.has(key)) delete out[key];
}

/** The field a `$directive/<field>` key names, or the directive's format error. */
function directiveField(key: string, prefix: string, formatError: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw errors.badRequest(formatError);
  return key.slice(slash + 1);
}

function applyDeleteFromPrimitiveLists(out: JsonObject, pending: Map<string, JsonValue>): void {
  for (const [key, value] of [...pending]) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    pending.delete(key);
    const field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST, BAD_PRIMITIVE_LIST);
    if (!Array.isArray(value)) throw errors.badRequest(BAD_PRIMITIVE_LIST);
    const current = getMember(out, field);
    if (!Array.isArray(current)) continue;
    setMember(
      out,
      field,
      current.filter((item) => !value.some((doomed) => jsonEqual(doomed, item))),
    );
  }
}

function applySetElementOrder(out: JsonObject, pending: Map<string, JsonValue>, shape: Shape): void {
  for (const [key, order] of [...pending]) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    pending.delete(key);
    const field = directiveField(key, SET_ELEMENT_ORDER, BAD_SET_ELEMENT_ORDER);
    if (!Array.isArray(order)) throw errors.badRequest(BAD_SET_ELEMENT_ORDER);
    const fieldShape = memberOf(shape, field).shape;
    const strategy = listStrategy(fieldShape);
    const same: Same = strategy.kind === 'merge-by-keys' ? sameKeys(strategy.keys) : jsonEqual;

    const current = getMember(out, field);
    const patched = pending.get(field);
    if (current !== undefined && current !== null && !Array.isArray(current))
      throw errors.badRequest(BAD_SET_ELEMENT_ORDER);
    if (patched !== undefined && patched !== null && !Array.isArray(patched))
      throw errors.badRequest(BAD_SET_ELEMENT_ORDER);
    const originalList = Array.isArray(current) ? current : undefined;
    const patchList = Array.isArray(patched) ? patched : undefined;
    if (strategy.kind === 'merge-by-keys') {
      for (const item of order) {
        if (!isJsonObject(item)) throw errors.badRequest(BAD_SET_ELEMENT_ORDER);
        requireKeys(item, strategy.keys);
      }
    }
    validateOrder(patchList ?? [], order, same);

    let merged: JsonValue[];
    if (patchList) merged = mergeList(originalList ?? [], patchList, fieldShape);
    else if (originalList) merged = originalList;
    else continue;
    const inOrder = (item: JsonValue): boolean => order.some((o) => same(o, item));
    setMember(
      out,
      field,
      normalizeOrder(
        merged.filter(inOrder),
        merged.filter((m) => !inOrder(m)),
        order,
        originalList ?? [],
        same,
      ),
    );
    pending.delete(field);
  }
}

/** The patch list must follow the `$setElementOrder` list (items being deleted aside). */
function validateOrder(patchList: readonly JsonValue[], order: readonly JsonValue[], same: Same): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = patchList.filter((item) => !(isJsonObject(item) && getMember(item, DIRECTIVE) === 'delete'));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isJsonObject(item) && getMember(item, DIRECTIVE) !== undefined) {
      p++;
      continue;
    }
    if (same(item, order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw errors.badRequest(
      `The order in patch list:\n${goJson([...patchList])}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goJson([...order])}\n`,
    );
  }
}
