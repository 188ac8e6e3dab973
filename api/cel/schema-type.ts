import type { JSONSchema } from '../json-schema.js';
import { boolTy, doubleTy, intTy, listOf, mapOf, stringTy, type CelTy, type ObjectTy } from './cel-type.js';
import { escapePropertyName } from './property-name.js';

/**
 * Sizes kube-apiserver assumes when a schema gives no bound (k8s.io/apiserver/pkg/cel/limits.go):
 * nothing larger than a 3 MiB request can arrive, so a value can hold at most what fits in one.
 */
export const maxRequestSizeBytes = 3 * 1024 * 1024;
const maxDurationSizeJSON = 32;
const maxDatetimeSizeJSON = 32;
const jsonDateSize = 12;
const minDatetimeSizeJSON = 21;
const minDurationSizeJSON = 3;

/** A schema node's CEL type and the fewest bytes one of its values takes in JSON. */
export interface SchemaType {
  readonly type: CelTy;
  readonly minSerializedSize: number;
}

/** `apiVersion`, `kind` and `metadata.name`/`generateName` are always visible at a resource's root. */
function withTypeAndObjectMeta(schema: JSONSchema): JSONSchema {
  return {
    ...schema,
    properties: {
      ...schema.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: {
        type: 'object',
        properties: { name: { type: 'string' }, generateName: { type: 'string' } },
      },
    },
  };
}

function maxStringLength(schema: JSONSchema): number {
  if (schema.maxLength !== undefined) return Math.max(0, schema.maxLength) * 4;
  if (schema['x-kubernetes-int-or-string']) return maxRequestSizeBytes - 2;
  if (schema.enum && schema.enum.length > 0)
    return Math.max(0, ...schema.enum.map((v) => (typeof v === 'string' ? v.length : 0)));
  return maxRequestSizeBytes - 2;
}

/**
 * The CEL type of values at `schema`, as kube-apiserver declares it (k8s.io/apiserver/pkg/cel/
 * common/schemas.go SchemaDeclType), or undefined when the schema is not exposed to CEL
 * (no type, or a list/map of such). Objects expose only their declared properties, also under
 * x-kubernetes-preserve-unknown-fields; x-kubernetes-int-or-string is dyn.
 */
export function schemaType(schema: JSONSchema, isResourceRoot: boolean): SchemaType | undefined {
  if (schema['x-kubernetes-int-or-string']) {
    return { type: { kind: 'dyn', maxSize: maxStringLength(schema) }, minSerializedSize: 1 };
  }
  const s = isResourceRoot ? withTypeAndObjectMeta(schema) : schema;
  switch (s.type) {
    case 'array': {
      if (!s.items) return undefined;
      const items = schemaType(s.items, s.items['x-kubernetes-embedded-resource'] === true);
      if (!items) return undefined;
      const maxItems =
        s.maxItems !== undefined
          ? Math.max(0, s.maxItems)
          : Math.floor((maxRequestSizeBytes - 2) / (items.minSerializedSize + 1));
      return { type: listOf(items.type, maxItems), minSerializedSize: 2 };
    }
    case 'object': {
      if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object') {
        const values = schemaType(
          s.additionalProperties,
          s.additionalProperties['x-kubernetes-embedded-resource'] === true,
        );
        if (!values) return undefined;
        const maxProperties =
          s.maxProperties !== undefined
            ? Math.max(0, s.maxProperties)
            : Math.floor((maxRequestSizeBytes - 2) / (values.minSerializedSize + 6));
        return { type: mapOf(stringTy, values.type, maxProperties), minSerializedSize: 2 };
      }
      const fields = new Map<string, CelTy>();
      const required = new Set(s.required ?? []);
      let minSerializedSize = 2;
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        const field = schemaType(property, property['x-kubernetes-embedded-resource'] === true);
        if (!field) continue;
        const escaped = escapePropertyName(name);
        if (escaped !== undefined) fields.set(escaped, field.type);
        if (required.has(name) && property.default === undefined)
          minSerializedSize += name.length + field.minSerializedSize + 4;
      }
      const type: ObjectTy = { kind: 'object', fields };
      return { type, minSerializedSize };
    }
    case 'string':
      switch (s.format) {
        case 'byte':
          return {
            type: {
              kind: 'bytes',
              maxSize: s.maxLength !== undefined ? Math.max(0, s.maxLength) : maxRequestSizeBytes - 2,
            },
            minSerializedSize: 2,
          };
        case 'duration':
          return {
            type: { kind: 'duration', maxSize: maxDurationSizeJSON },
            minSerializedSize: minDurationSizeJSON,
          };
        case 'date':
          return { type: { kind: 'timestamp', maxSize: jsonDateSize }, minSerializedSize: jsonDateSize };
        case 'date-time':
          return {
            type: { kind: 'timestamp', maxSize: maxDatetimeSizeJSON },
            minSerializedSize: minDatetimeSizeJSON,
          };
        default:
          return { type: { kind: 'string', maxSize: maxStringLength(s) }, minSerializedSize: 2 };
      }
    case 'boolean':
      return { type: boolTy, minSerializedSize: 4 };
    case 'number':
      return { type: doubleTy, minSerializedSize: 1 };
    case 'integer':
      return { type: intTy, minSerializedSize: 1 };
    default:
      return undefined;
  }
}

/** The schema whose CEL type `schemaType` built, with the resource-root fields added. */
export function exposedSchema(schema: JSONSchema, isResourceRoot: boolean): JSONSchema {
  return isResourceRoot ? withTypeAndObjectMeta(schema) : schema;
}
