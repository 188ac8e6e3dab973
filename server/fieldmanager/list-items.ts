import {
  fieldPathString,
  keyElement,
  serializePathElement,
  valueElement,
  type FieldPath,
  type PathElement,
} from './field-path.js';
import { getMember, isJsonObject, type JsonValue } from '../util/json-value.js';
import type { ListShape } from '../registry/schema-shape.js';

/** An item of an associative (set or map) list, named by its path element. */
export interface ListItem {
  readonly element: PathElement;
  /** The serialized element, for lookups. */
  readonly id: string;
  readonly value: JsonValue;
  readonly index: number;
}

export interface IndexedList {
  /** Items in list order, each element once (the first occurrence wins). */
  readonly items: readonly ListItem[];
  readonly byId: ReadonlyMap<string, ListItem>;
  /** Problems that make the list unusable as an associative list (missing keys, nulls...). */
  readonly errors: readonly string[];
  /** Elements that occur more than once. */
  readonly duplicates: readonly PathElement[];
}

/**
 * The path element that names an item, as structured-merge-diff derives it: map lists by
 * their key fields (defaults filling omitted keys), sets by the item's value.
 */
export function itemElement(item: JsonValue, shape: ListShape): PathElement | string {
  if (shape.listType === 'map') {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isJsonObject(item)) return 'associative list with keys may not have non-map elements';
    const fields: [string, JsonValue][] = [];
    for (const key of shape.keys) {
      const value = getMember(item, key) ?? shape.keyDefaults.get(key);
      if (value === undefined) {
        return `associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`;
      }
      fields.push([key, value]);
    }
    return keyElement(fields);
  }
  if (item === null) return "associative list without keys has an element that's an explicit null";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (isJsonObject(item)) return "associative list without keys has an element that's a map type";
  return valueElement(item);
}

/** Indexes the items of a set or map list. */
export function indexList(list: readonly JsonValue[], shape: ListShape): IndexedList {
  const items: ListItem[] = [];
  const byId = new Map<string, ListItem>();
  const errors: string[] = [];
  const duplicates: PathElement[] = [];
  list.forEach((value, index) => {
    const element = itemElement(value, shape);
    if (typeof element === 'string') {
      errors.push(`element ${index}: ${element}`);
      return;
    }
    const id = serializePathElement(element);
    if (byId.has(id)) {
      duplicates.push(element);
      return;
    }
    const item: ListItem = { element, id, value, index };
    items.push(item);
    byId.set(id, item);
  });
  return { items, byId, errors, duplicates };
}

/** The message structured-merge-diff gives for a duplicated item. */
export function duplicateMessage(path: FieldPath, element: PathElement): string {
  return `${fieldPathString(path)}: duplicate entries for key ${fieldPathString([element])}`;
}
