import { JSONPath } from 'jsonpath-plus';
import type { JSONSchema } from './json-schema.js';
import { OBJECT_META_SCHEMA } from './object-meta-schema.js';

/**
 * The JSONPaths of printer columns, selectable fields and the scale subresource, written as a
 * CRD writes them (`.spec.replicas`, `.status.conditions[?(@.type=="Ready")].status`), evaluated
 * with jsonpath-plus and resolved against the version's schema when the resource is defined.
 */
export interface CompiledJsonPath {
  /** The path as written. */
  readonly source: string;
  /** The path's steps: property names, indices, `*` and filters. */
  readonly steps: readonly string[];
  /** True when every step is a property name: a path that names one field. */
  readonly simple: boolean;
  /** The first value the path finds in `value`, or undefined. */
  first(value: unknown): unknown;
}

/** Parses a CRD-style JSONPath; throws an Error that says what is wrong. */
export function compileJsonPath(source: string): CompiledJsonPath {
  if (!source.startsWith('.')) throw new Error(`"${source}" must start with "." (e.g. ".spec.replicas")`);
  if (source.includes('..')) throw new Error(`"${source}" may not use recursive descent ("..")`);
  const steps = JSONPath.toPathArray(`$${source}`).slice(1);
  if (steps.length === 0 || steps.some((step) => step === '')) {
    throw new Error(`"${source}" is not a JSONPath to a field`);
  }
  const expression = `$${source}`;
  const simple = steps.every((step) => !isIndexStep(step) && !isFilterStep(step) && step !== '*');
  return {
    source,
    steps,
    simple,
    first(value) {
      if (simple) return walkSimple(value, steps);
      const found: unknown = JSONPath({ path: expression, json: value as object, wrap: true, eval: 'safe' });
      return Array.isArray(found) ? found[0] : undefined;
    },
  };
}

/** Follows property names with own-property lookups only, never into prototypes. */
function walkSimple(value: unknown, steps: readonly string[]): unknown {
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function isIndexStep(step: string): boolean {
  return /^-?[0-9]+$/.test(step);
}

function isFilterStep(step: string): boolean {
  return step.startsWith('?(');
}

/**
 * The schema of what `path` points at, or an explanation of why the schema has no such field.
 * Positions under `x-kubernetes-preserve-unknown-fields` resolve to an empty schema.
 */
export function resolveJsonPath(
  schema: JSONSchema,
  path: CompiledJsonPath,
): { schema: JSONSchema } | { problem: string } {
  let at: JSONSchema = schema;
  let walked = '';
  for (const [i, step] of path.steps.entries()) {
    // Every object has ObjectMeta, whatever its schema says of metadata.
    if (i === 0 && step === 'metadata') {
      at = OBJECT_META_SCHEMA;
      walked = '.metadata';
      continue;
    }
    if (at['x-kubernetes-preserve-unknown-fields'] === true && !at.properties && !at.items) {
      return { schema: {} };
    }
    if (isIndexStep(step) || isFilterStep(step) || step === '*') {
      if (at.type !== 'array' || !at.items)
        return { problem: `${walked || '.'} is not a list in the schema` };
      at = at.items;
      walked += `[${step}]`;
      continue;
    }
    const property =
      at.properties && Object.prototype.hasOwnProperty.call(at.properties, step)
        ? at.properties[step]
        : typeof at.additionalProperties === 'object'
          ? at.additionalProperties
          : undefined;
    walked += `.${step}`;
    if (!property) return { problem: `${walked} is not in the schema` };
    at = property;
  }
  return { schema: at };
}
