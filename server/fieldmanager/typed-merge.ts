import {
  cloneJson,
  getMember,
  isJsonObject,
  setMember,
  type JsonObject,
  type JsonValue,
} from '../util/json-value.js';
import { indexList, type ListItem } from './list-items.js';
import { isNullable, memberOf, type ListShape, type Shape } from '../registry/schema-shape.js';

/**
 * Merges an applied configuration into the live object the way server-side apply does
 * (structured-merge-diff's TypedValue.Merge): scalars and atomic values are replaced,
 * granular maps merge key by key, sets and map lists merge item by item (map-list items by
 * their keys, recursively), keeping live items the configuration does not mention in place.
 *
 * A `null` in the configuration unsets the field (it stays `null` only where the schema says
 * `nullable`), as kube-apiserver ends up doing once it prunes nulls from custom resources.
 * Neither input is modified.
 */
export function mergeApplied(
  live: JsonValue | undefined,
  applied: JsonValue | undefined,
  shape: Shape,
): JsonValue | undefined {
  if (applied === undefined) return live === undefined ? undefined : cloneJson(live);
  if (applied === null) return isNullable(shape) ? null : undefined;
  if (live === undefined || live === null) return withoutUnsetNulls(applied, shape);

  if (shape.kind === 'list' && shape.listType !== 'atomic' && Array.isArray(live) && Array.isArray(applied)) {
    return mergeLists(live, applied, shape) ?? withoutUnsetNulls(applied, shape);
  }
  const granular = shape.kind === 'untyped' || (shape.kind === 'map' && !shape.atomic);
  if (granular && isJsonObject(live) && isJsonObject(applied)) return mergeMaps(live, applied, shape);
  return withoutUnsetNulls(applied, shape);
}

function mergeMaps(live: JsonObject, applied: JsonObject, shape: Shape): JsonObject {
  const out = cloneJson(live);
  for (const [key, value] of Object.entries(applied)) {
    const merged = mergeApplied(getMember(live, key), value, memberOf(shape, key).shape);
    if (merged === undefined) delete out[key];
    else setMember(out, key, merged);
  }
  return out;
}

/**
 * Merges two associative lists, keeping the relative order of the live items and placing
 * the applied items in their applied order (structured-merge-diff's ordering rules).
 * Returns undefined when either list cannot be indexed, in which case the applied list wins.
 */
function mergeLists(live: JsonValue[], applied: JsonValue[], shape: ListShape): JsonValue[] | undefined {
  const lhs = indexList(live, shape);
  const rhs = indexList(applied, shape);
  if (lhs.errors.length > 0 || rhs.errors.length > 0) return undefined;

  const out: JsonValue[] = [];
  const merged = new Set<string>();
  const shared = rhs.items.filter((item) => lhs.byId.has(item.id));
  let nextShared = 0;
  const take = (l: ListItem | undefined, r: ListItem): void => {
    merged.add(r.id);
    const value = mergeApplied(l?.value, r.value, shape.item);
    if (value !== undefined) out.push(value);
    if (nextShared < shared.length && shared[nextShared].id === r.id) nextShared++;
  };

  let li = 0;
  let ri = 0;
  while (li < lhs.items.length || ri < rhs.items.length) {
    if (li < lhs.items.length && ri < rhs.items.length) {
      const left = lhs.items[li];
      if (left.id === rhs.items[ri].id) {
        take(left, rhs.items[ri]);
        li++;
        ri++;
        continue;
      }
      // A shared item that the applied order places later: skip it here, it is merged when
      // the applied list reaches it.
      if (rhs.byId.has(left.id) && nextShared < shared.length && shared[nextShared].id !== left.id) {
        li++;
        continue;
      }
    }
    if (li < lhs.items.length) {
      const left = lhs.items[li];
      if (!rhs.byId.has(left.id)) {
        out.push(cloneJson(left.value));
        li++;
        continue;
      }
      if (merged.has(left.id)) {
        li++;
        continue;
      }
    }
    if (ri < rhs.items.length) {
      const right = rhs.items[ri];
      take(lhs.byId.get(right.id), right);
      ri++;
    }
  }
  return out;
}

/** A copy of an applied value with its unset (non-nullable null) fields dropped. */
function withoutUnsetNulls(value: JsonValue, shape: Shape): JsonValue {
  if (Array.isArray(value)) {
    const itemShape = shape.kind === 'list' ? shape.item : shape;
    return value.map((item) => (item === null ? null : withoutUnsetNulls(item, itemShape)));
  }
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const member = memberOf(shape, key).shape;
    if (item === null) {
      if (isNullable(member)) setMember(out, key, null);
      continue;
    }
    setMember(out, key, withoutUnsetNulls(item, member));
  }
  return out;
}
