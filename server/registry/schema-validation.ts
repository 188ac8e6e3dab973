import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchema } from '../../api/schema-compiler.js';
import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { knownObjectMetaFields } from './object-meta-validation.js';

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `/spec/metrics/0` -> `spec.metrics[0]`, the field path style of Kubernetes causes. */
export function toFieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(segment)) path += `[${segment}]`;
    else path += path ? `.${segment}` : segment;
  }
  return path;
}

function valueAt(object: Json, pointer: string): Json {
  let current = object;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function causeFor(error: ErrorObject, object: Json): StatusCause {
  const field = toFieldPath(error.instancePath);
  const value = JSON.stringify(valueAt(object, error.instancePath));
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return {
        reason: 'FieldValueRequired',
        field: field ? `${field}.${missing}` : missing,
        message: 'Required value',
      };
    }
    case 'enum':
      return {
        reason: 'FieldValueNotSupported',
        field,
        message: `Unsupported value: ${value}: supported values: ${(
          (error.params as { allowedValues: unknown[] }).allowedValues ?? []
        )
          .map((v) => JSON.stringify(v))
          .join(', ')}`,
      };
    case 'maxLength':
    case 'maxProperties':
      return { reason: 'FieldValueTooLong', field, message: `Too long: ${field} in body ${error.message}` };
    case 'maxItems':
      return { reason: 'FieldValueTooMany', field, message: `Too many: ${field} in body ${error.message}` };
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        field,
        message: `Invalid value: ${value}: ${field} in body ${error.message}`,
      };
    default:
      return {
        reason: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${value}: ${field} in body ${error.message}`,
      };
  }
}

/**
 * The schema of a declared property. Keys come from request bodies, so only the schema's own
 * properties count: `constructor` or `__proto__` are unknown fields like any other.
 */
function propertySchema(schema: JSONSchema, key: string): JSONSchema | undefined {
  const properties = schema.properties;
  return properties && Object.hasOwn(properties, key) ? properties[key] : undefined;
}

/** What the structural schema allows at a position, for pruning. */
function allowsUnknown(schema: JSONSchema): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true || schema.properties === undefined;
}

/**
 * Removes fields the schema does not know (as kube-apiserver prunes custom resources) and
 * returns their paths, so the caller can reject (Strict), warn (Warn) or ignore them.
 */
export function pruneUnknownFields(object: KubeObject, schema: JSONSchema): string[] {
  const unknown: string[] = [];
  const walk = (value: Json, at: JSONSchema | undefined, path: string): void => {
    if (!at) return;
    if (Array.isArray(value)) {
      if (at.items) value.forEach((item, i) => walk(item, at.items, `${path}[${i}]`));
      return;
    }
    if (!isPlainObject(value)) return;
    if (at.additionalProperties && typeof at.additionalProperties === 'object') {
      const values = at.additionalProperties;
      for (const [key, item] of Object.entries(value)) walk(item, values, `${path}.${key}`);
      return;
    }
    if (allowsUnknown(at)) return;
    for (const [key, item] of Object.entries(value)) {
      const child = propertySchema(at, key);
      const childPath = path ? `${path}.${key}` : key;
      if (!child) {
        unknown.push(childPath);
        delete value[key];
      } else walk(item, child, childPath);
    }
  };
  walk(object, schema, '');
  if (isPlainObject(object.metadata)) {
    for (const key of Object.keys(object.metadata)) {
      if (!knownObjectMetaFields.has(key)) {
        unknown.push(`metadata.${key}`);
        delete (object.metadata as Record<string, unknown>)[key];
      }
    }
  }
  return unknown;
}

/**
 * Fills the schema's `default`s where the object has no value, as kube-apiserver defaults custom
 * resources on decode: in objects that exist, in every list item and map value. Defaults are
 * copied, so objects never share them.
 */
export function applySchemaDefaults(object: KubeObject, schema: JSONSchema): void {
  const walk = (value: Json, at: JSONSchema | undefined): void => {
    if (!at) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, at.items);
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(at.properties ?? {})) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) {
        if (child.default === undefined) continue;
        value[key] = structuredClone(child.default);
      }
      walk(value[key], child);
    }
    if (typeof at.additionalProperties === 'object')
      for (const item of Object.values(value)) walk(item, at.additionalProperties);
  };
  walk(object, schema);
}

/** Sets and map lists must not repeat an element or a key: checked from the schema's list types. */
function listUniquenessCauses(object: Json, schema: JSONSchema): StatusCause[] {
  const causes: StatusCause[] = [];
  const walk = (value: Json, at: JSONSchema | undefined, path: string): void => {
    if (!at) return;
    if (Array.isArray(value)) {
      const listType = at['x-kubernetes-list-type'];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        let identity: string | undefined;
        if (listType === 'set') identity = JSON.stringify(item);
        if (listType === 'map' && isPlainObject(item))
          identity = JSON.stringify((at['x-kubernetes-list-map-keys'] ?? []).map((key) => item[key]));
        if (identity !== undefined) {
          if (seen.has(identity))
            causes.push({
              reason: 'FieldValueDuplicate',
              field: `${path}[${i}]`,
              message: `Duplicate value: ${identity}`,
            });
          seen.add(identity);
        }
        walk(item, at.items, `${path}[${i}]`);
      });
      return;
    }
    if (!isPlainObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      const child =
        propertySchema(at, key) ??
        (typeof at.additionalProperties === 'object' ? at.additionalProperties : undefined);
      walk(item, child, path ? `${path}.${key}` : key);
    }
  };
  walk(object, schema, '');
  return causes;
}

/**
 * Validates and defaults objects of one version against its structural schema. Compiled once
 * per version; `validate` fills `default`s in place, like kube-apiserver's defaulting on decode.
 */
export class SchemaValidator {
  private readonly validateFunction: ValidateFunction;

  constructor(private readonly schema: JSONSchema) {
    this.validateFunction = compileSchema(schema);
  }

  validate(object: KubeObject): StatusCause[] {
    const valid = this.validateFunction(object);
    const causes = valid ? [] : (this.validateFunction.errors ?? []).map((e) => causeFor(e, object));
    return [...causes, ...listUniquenessCauses(object, this.schema)];
  }
}
