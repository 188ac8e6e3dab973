import { OBJECT_META_SCHEMA } from '../../api/object-meta-schema.js';
import { MAX_ANNOTATION_BYTES } from '../api/request-limits.js';
import type { ObjectMeta, StatusCause } from '../../api/types.js';

const dns1123LabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const maxAnnotationBytes = MAX_ANNOTATION_BYTES;

function invalid(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  };
}

export function dns1123SubdomainErrors(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push('must be no more than 253 characters');
  if (!dns1123SubdomainPattern.test(value)) {
    problems.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return problems;
}

export function dns1123LabelErrors(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!dns1123LabelPattern.test(value)) {
    problems.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return problems;
}

/** A label or annotation key: an optional DNS subdomain prefix and a name of at most 63 characters. */
export function qualifiedNameErrors(value: string): string[] {
  const slash = value.lastIndexOf('/');
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  const problems: string[] = [];
  if (slash >= 0) {
    const prefix = value.slice(0, slash);
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...dns1123SubdomainErrors(prefix).map((p) => `prefix part ${p}`));
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNamePattern.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

export function labelValueErrors(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!labelValuePattern.test(value)) {
    problems.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

function stringMapCauses(
  field: string,
  map: unknown,
  valueErrors: ((value: string) => string[]) | undefined,
): StatusCause[] {
  if (map === undefined) return [];
  if (map === null || typeof map !== 'object' || Array.isArray(map))
    return [invalid(field, map, 'must be a map of strings')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(map)) {
    for (const problem of qualifiedNameErrors(key)) causes.push(invalid(field, key, problem));
    if (typeof value !== 'string') causes.push(invalid(`${field}[${key}]`, value, 'must be a string'));
    else if (valueErrors)
      for (const problem of valueErrors(value)) causes.push(invalid(`${field}[${key}]`, value, problem));
  }
  return causes;
}

/** The JSON type each ObjectMeta field must have (labels, annotations and finalizers are checked below). */
const metaFieldTypes: ReadonlyMap<string, 'string' | 'integer' | 'array'> = new Map([
  ['name', 'string'],
  ['generateName', 'string'],
  ['namespace', 'string'],
  ['selfLink', 'string'],
  ['uid', 'string'],
  ['resourceVersion', 'string'],
  ['creationTimestamp', 'string'],
  ['deletionTimestamp', 'string'],
  ['generation', 'integer'],
  ['deletionGracePeriodSeconds', 'integer'],
  ['ownerReferences', 'array'],
  ['managedFields', 'array'],
]);

function hasType(value: unknown, type: 'string' | 'integer' | 'array'): boolean {
  if (type === 'string') return typeof value === 'string';
  if (type === 'integer') return Number.isSafeInteger(value);
  return Array.isArray(value);
}

/**
 * Fields of the wrong JSON type (`"name": 123`), which a client's decoder could not read back:
 * one FieldValueTypeInvalid cause each, worded as schema type errors are.
 */
function typeCauses(meta: ObjectMeta): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [field, type] of metaFieldTypes) {
    if (!Object.hasOwn(meta, field)) continue;
    const value: unknown = (meta as Record<string, unknown>)[field];
    if (value === undefined || value === null || hasType(value, type)) continue;
    causes.push({
      reason: 'FieldValueTypeInvalid',
      field: `metadata.${field}`,
      message: `Invalid value: ${JSON.stringify(value)}: metadata.${field} in body must be of type ${type}`,
    });
  }
  return causes;
}

/**
 * The ObjectMeta rules kube-apiserver applies to every object of a custom resource: every field
 * has its type, names are DNS subdomains, label keys and values and annotation keys are well
 * formed, annotations fit in 256 KiB, finalizers are qualified names.
 */
export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean): StatusCause[] {
  const causes = typeCauses(meta);
  // Past a type error the other rules would only repeat it in other words.
  if (causes.length > 0) return causes;
  if (!meta.name) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else {
    for (const problem of dns1123SubdomainErrors(meta.name))
      causes.push(invalid('metadata.name', meta.name, problem));
  }
  if (namespaced) {
    if (!meta.namespace)
      causes.push({ reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' });
    else
      for (const problem of dns1123LabelErrors(meta.namespace))
        causes.push(invalid('metadata.namespace', meta.namespace, problem));
  } else if (meta.namespace) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'metadata.namespace',
      message: 'Forbidden: not allowed on this type',
    });
  }
  causes.push(...stringMapCauses('metadata.labels', meta.labels, labelValueErrors));
  causes.push(...stringMapCauses('metadata.annotations', meta.annotations, undefined));
  if (meta.annotations && typeof meta.annotations === 'object') {
    const size = Object.entries(meta.annotations).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
      0,
    );
    if (size > maxAnnotationBytes) {
      causes.push({
        reason: 'FieldValueTooLong',
        field: 'metadata.annotations',
        message: `Too long: may not be more than ${maxAnnotationBytes} bytes`,
      });
    }
  }
  if (meta.finalizers !== undefined) {
    if (!Array.isArray(meta.finalizers))
      causes.push(invalid('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else
      meta.finalizers.forEach((finalizer, index) => {
        const problems =
          typeof finalizer === 'string' ? qualifiedNameErrors(finalizer) : ['must be a string'];
        for (const problem of problems)
          causes.push(invalid(`metadata.finalizers[${index}]`, finalizer, problem));
      });
  }
  if (meta.generateName !== undefined && typeof meta.generateName !== 'string') {
    causes.push(invalid('metadata.generateName', meta.generateName, 'must be a string'));
  }
  return causes;
}

/** What an update may not do to ObjectMeta: change the uid, or add finalizers to an object already being deleted. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): StatusCause[] {
  if (meta.uid !== old.uid) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.uid',
        message: `Invalid value: ${JSON.stringify(meta.uid)}: field is immutable`,
      },
    ];
  }
  if (!old.deletionTimestamp || !Array.isArray(meta.finalizers)) return [];
  const before = new Set(old.finalizers ?? []);
  const added = meta.finalizers.filter((finalizer) => !before.has(finalizer));
  if (added.length === 0) return [];
  return [
    {
      reason: 'FieldValueForbidden',
      field: 'metadata.finalizers',
      message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added
        .map((f) => JSON.stringify(f))
        .join(', ')}}`,
    },
  ];
}

/** The ObjectMeta fields a client may send; anything else is an unknown field. */
export const knownObjectMetaFields = new Set(Object.keys(OBJECT_META_SCHEMA.properties ?? {}));
