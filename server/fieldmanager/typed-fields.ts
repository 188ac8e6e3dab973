import { fieldElement, fieldPathString, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { isJsonObject, type JsonValue } from '../util/json-value.js';
import { duplicateMessage, indexList } from './list-items.js';
import type { ListShape, Shape } from '../registry/schema-shape.js';

export interface FieldsOfValue {
  /** The fields the value sets, as server-side apply records them for its manager. */
  readonly set: FieldSet;
  /** The fields the value sets to an explicit null. */
  readonly nulls: FieldSet;
  /**
   * Why the value does not fit the schema (undeclared fields, wrong kinds of values, items
   * of associative lists without keys or repeated). Only collected with `strict`.
   */
  readonly errors: readonly string[];
}

/**
 * The field set of a value (structured-merge-diff's TypedValue.ToFieldSet): every scalar,
 * every atomic list or map, every item of an associative list (and its fields), every map
 * entry that is not a declared struct field, and every empty or null value. Struct fields
 * that only contain other fields are not members themselves.
 *
 * With `strict` (an applied configuration), values must match the schema: fields the schema
 * does not declare, objects where lists belong and broken associative lists are errors.
 * Without it (a stored object), anything unexpected is simply owned as a leaf.
 */
export function fieldsOfValue(value: JsonValue, shape: Shape, strict: boolean): FieldsOfValue {
  const members: FieldPath[] = [];
  const nulls: FieldPath[] = [];
  const errors: string[] = [];

  const visit = (v: JsonValue, s: Shape, path: FieldPath): void => {
    if (v === null) return;
    switch (s.kind) {
      case 'scalar':
        if (strict && typeof v === 'object') errors.push(`${where(path)}expected scalar, got ${kindOf(v)}`);
        members.push(path);
        return;
      case 'untyped':
        if (isJsonObject(v)) visitMap(v, s, path);
        else members.push(path);
        return;
      case 'map':
        if (!isJsonObject(v)) {
          if (strict) errors.push(`${where(path)}expected map, got ${kindOf(v)}`);
          members.push(path);
          return;
        }
        if (s.atomic) {
          members.push(path);
          return;
        }
        visitMap(v, s, path);
        return;
      case 'list':
        if (!Array.isArray(v)) {
          if (strict) errors.push(`${where(path)}expected list, got ${kindOf(v)}`);
          members.push(path);
          return;
        }
        if (s.listType === 'atomic') {
          members.push(path);
          return;
        }
        visitList(v, s, path);
        return;
    }
  };

  const visitMap = (object: Record<string, JsonValue>, s: Shape, path: FieldPath): void => {
    for (const [key, child] of Object.entries(object)) {
      const member = s.kind === 'map' ? s.member(key) : { shape: s, named: false };
      const childPath = [...path, fieldElement(key)];
      if (!member) {
        if (strict) errors.push(`${fieldPathString(childPath)}: field not declared in schema`);
        members.push(childPath);
        continue;
      }
      visit(child, member.shape, childPath);
      if (child === null) nulls.push(childPath);
      if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !member.named) {
        members.push(childPath);
      }
    }
  };

  const visitList = (list: JsonValue[], s: ListShape, path: FieldPath): void => {
    const indexed = indexList(list, s);
    if (indexed.errors.length > 0) {
      if (strict) errors.push(...indexed.errors.map((e) => `${fieldPathString(path)}: ${e}`));
      else {
        members.push(path);
        return;
      }
    }
    if (strict) for (const element of indexed.duplicates) errors.push(duplicateMessage(path, element));
    for (const item of indexed.items) {
      const itemPath = [...path, item.element];
      visit(item.value, s.item, itemPath);
      members.push(itemPath);
    }
  };

  if (isJsonObject(value)) visitMap(value, shape, []);
  else visit(value, shape, []);
  return { set: FieldSet.fromPaths(members), nulls: FieldSet.fromPaths(nulls), errors };
}

function where(path: FieldPath): string {
  return path.length === 0 ? '' : `${fieldPathString(path)}: `;
}

function kindOf(value: JsonValue): string {
  if (Array.isArray(value)) return 'list';
  if (isJsonObject(value)) return 'map';
  return typeof value;
}
