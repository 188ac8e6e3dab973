import { fieldElement, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { getMember, isJsonObject, jsonEqual, type JsonValue } from '../util/json-value.js';
import { indexList, type IndexedList } from './list-items.js';
import { memberOf, type ListShape, type Shape } from '../registry/schema-shape.js';

/** The fields that differ between two versions of an object (structured-merge-diff's Comparison). */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * Compares `before` with `after` field by field. Leaves (scalars, atomic lists and maps,
 * empty values) are added, removed or modified; granular maps and associative lists are only
 * added or removed as a whole, their changed content being listed below them. Order changes
 * within associative lists are not changes.
 */
export function compareTyped(
  before: JsonValue | undefined,
  after: JsonValue | undefined,
  shape: Shape,
): Comparison {
  const added: FieldPath[] = [];
  const modified: FieldPath[] = [];
  const removed: FieldPath[] = [];

  const leaf = (l: JsonValue | undefined, r: JsonValue | undefined, path: FieldPath): void => {
    if (l === undefined) added.push(path);
    else if (r === undefined) removed.push(path);
    else if (!jsonEqual(l, r)) modified.push(path);
  };

  const node = (l: JsonValue | undefined, r: JsonValue | undefined, path: FieldPath): void => {
    if (path.length === 0) return;
    if (l === undefined) added.push(path);
    else if (r === undefined) removed.push(path);
  };

  const visit = (l: JsonValue | undefined, r: JsonValue | undefined, s: Shape, path: FieldPath): void => {
    if (s.kind === 'scalar') return leaf(l, r, path);
    if (s.kind === 'list') {
      const lists = s.listType === 'atomic' ? undefined : associative(l, r, s);
      if (!lists) return leaf(l, r, path);
      for (const id of new Set([...lists.left.byId.keys(), ...lists.right.byId.keys()])) {
        const li = lists.left.byId.get(id);
        const ri = lists.right.byId.get(id);
        const element = (li ?? ri)?.element;
        if (element) visit(li?.value, ri?.value, s.item, [...path, element]);
      }
      return node(l, r, path);
    }
    const granular = s.kind === 'untyped' || !s.atomic;
    if (!granular || !mapLike(l) || !mapLike(r) || (isEmptyMap(l) && isEmptyMap(r))) return leaf(l, r, path);
    const lm = isJsonObject(l) ? l : {};
    const rm = isJsonObject(r) ? r : {};
    for (const key of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      visit(getMember(lm, key), getMember(rm, key), memberOf(s, key).shape, [...path, fieldElement(key)]);
    }
    return node(l, r, path);
  };

  visit(before, after, shape, []);
  return {
    added: FieldSet.fromPaths(added),
    modified: FieldSet.fromPaths(modified),
    removed: FieldSet.fromPaths(removed),
  };
}

function mapLike(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || isJsonObject(value);
}

function isEmptyMap(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || (isJsonObject(value) && Object.keys(value).length === 0);
}

/** Both sides indexed as associative lists, or undefined when either cannot be (then the list is a leaf). */
function associative(
  l: JsonValue | undefined,
  r: JsonValue | undefined,
  shape: ListShape,
): { left: IndexedList; right: IndexedList } | undefined {
  const listLike = (v: JsonValue | undefined): v is JsonValue[] | null | undefined =>
    v === undefined || v === null || Array.isArray(v);
  if (!listLike(l) || !listLike(r)) return undefined;
  const left = indexList(Array.isArray(l) ? l : [], shape);
  const right = indexList(Array.isArray(r) ? r : [], shape);
  if (left.errors.length > 0 || right.errors.length > 0) return undefined;
  if (left.items.length === 0 && right.items.length === 0) return undefined;
  return { left, right };
}
