/**
 * A structural OpenAPI v3 schema, as CustomResourceDefinitions use them, with the Kubernetes
 * extensions that drive merging and field ownership. One schema per served version is the
 * single source of truth for validation, defaulting, OpenAPI publication, strategic merge
 * patch and server-side apply.
 */
export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchema>;
  additionalProperties?: boolean | JSONSchema;
  items?: JSONSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  /** Reference into the OpenAPI document's definitions (used only for ObjectMeta in published specs). */
  $ref?: string;
  /** `atomic`: replaced whole; `set`: scalars merged as a set; `map`: items merged by `x-kubernetes-list-map-keys`. */
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  /** `atomic` maps are replaced whole by apply; `granular` (default) are merged key by key. */
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** Strategic merge patch: `merge` (by merge key) or `replace`; for lists. */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  /** Declarative validation rules in CEL, evaluated with `self` bound to the value at this position. */
  'x-kubernetes-validations'?: ValidationRule[];
}

/** One `x-kubernetes-validations` entry, exactly as CustomResourceDefinitions write it. */
export interface ValidationRule {
  /** A CEL expression that must evaluate to true; `self` is the value here, `oldSelf` the old one (transition rule). */
  rule: string;
  /** The message when the rule is false. @default 'failed rule: <rule>' */
  message?: string;
  /** A CEL expression that evaluates to the message (a string); wins over `message`. */
  messageExpression?: string;
  /** The cause's reason. @default 'FieldValueInvalid' */
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  /** A path relative to this position (`.spec.replicas`, `.items['key']`) that the cause names. */
  fieldPath?: string;
  /** Evaluate a transition rule on create too, with `oldSelf` an optional (`oldSelf.hasValue()`). */
  optionalOldSelf?: boolean;
}

/** `apiVersion` and `kind`, described as every Kubernetes schema describes them. */
export const typeMetaProperties: Record<'apiVersion' | 'kind', JSONSchema> = {
  apiVersion: {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  },
  kind: {
    type: 'string',
    description: 'Kind is a string value representing the REST resource this object represents.',
  },
};
