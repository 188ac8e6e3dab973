import { fieldElement, type PathElement } from './field-path.js';
import type { FieldSet } from './field-set.js';
import { cloneJson, isJsonObject, setMember, type JsonObject, type JsonValue } from '../util/json-value.js';
import { indexList, itemElement } from './list-items.js';
import { memberOf, type Shape } from '../registry/schema-shape.js';

/**
 * Removes from `value` the fields an applier owned before (`previous`) that nobody owns any
 * more (`owned`: every manager's set after the apply, the applier's new set included): the
 * "fields removed from the configuration are removed from the object" rule of server-side
 * apply (structured-merge-diff's Updater.prune).
 *
 * As there, a struct field counts as owned when anything below it is, so a struct is removed
 * whole once none of its fields has an owner; list items and map entries count only when
 * owned themselves. Fields nobody ever owned are left alone, and the key fields of map-list
 * items are never removed from an item that stays. Returns a new value.
 */
export function pruneUnowned(value: JsonValue, shape: Shape, previous: FieldSet, owned: FieldSet): JsonValue {
  return prune(value, shape, previous, owned, new Set());
}

function prune(
  value: JsonValue,
  shape: Shape,
  previous: FieldSet,
  owned: FieldSet,
  keyFields: ReadonlySet<string>,
): JsonValue {
  if (previous.isEmpty()) return cloneJson(value);

  if (isJsonObject(value) && (shape.kind === 'map' || shape.kind === 'untyped')) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      const element = fieldElement(key);
      const member = memberOf(shape, key);
      if (!keyFields.has(key) && removable(element, member.named, previous, owned)) continue;
      const below = previous.child(element);
      setMember(
        out,
        key,
        below.isEmpty()
          ? cloneJson(child)
          : prune(child, member.shape, below, owned.child(element), new Set()),
      );
    }
    return out;
  }

  if (Array.isArray(value) && shape.kind === 'list' && shape.listType !== 'atomic') {
    const indexed = indexList(value, shape);
    if (indexed.errors.length > 0) return cloneJson(value);
    const keys = new Set(shape.keys);
    const out: JsonValue[] = [];
    for (const item of value) {
      const element = itemElement(item, shape);
      if (typeof element === 'string') {
        out.push(cloneJson(item));
        continue;
      }
      if (removable(element, false, previous, owned)) continue;
      const below = previous.child(element);
      out.push(
        below.isEmpty() ? cloneJson(item) : prune(item, shape.item, below, owned.child(element), keys),
      );
    }
    return out;
  }

  return cloneJson(value);
}

/** Owned before by the applier and by nobody now (struct fields: nothing below them owned). */
function removable(element: PathElement, named: boolean, previous: FieldSet, owned: FieldSet): boolean {
  const previouslyOwned = previous.hasMember(element) || (named && !previous.child(element).isEmpty());
  if (!previouslyOwned) return false;
  const ownedNow = owned.hasMember(element) || (named && !owned.child(element).isEmpty());
  return !ownedNow;
}
