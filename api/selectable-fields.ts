import { compileJsonPath, resolveJsonPath } from './json-path.js';
import type { JSONSchema } from './json-schema.js';
import type { SelectableField } from './resource-definition.js';
import type { SelectableFieldSpec } from './resource-spec.js';

/** kube allows at most this many selectable fields per version of a CRD. */
export const MAX_SELECTABLE_FIELDS = 8;

const selectableTypes = new Set(['string', 'integer', 'boolean']);

/**
 * Compiles a version's selectable fields as kube checks a CRD's: simple paths to string, integer
 * or boolean fields, not metadata (always selectable by name and namespace), no duplicates.
 */
export function compileSelectableFields(
  specs: readonly SelectableFieldSpec[],
  schema: JSONSchema,
  where: string,
  problems: string[],
): SelectableField[] {
  if (specs.length > MAX_SELECTABLE_FIELDS)
    problems.push(`${where}: at most ${MAX_SELECTABLE_FIELDS} selectable fields, got ${specs.length}`);
  const fields: SelectableField[] = [];
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    const at = `${where}[${i}].jsonPath`;
    try {
      const path = compileJsonPath(spec.jsonPath);
      if (!path.simple) throw new Error(`"${spec.jsonPath}" must be a simple path of field names`);
      if (path.steps[0] === 'metadata')
        throw new Error(
          `"${spec.jsonPath}" may not select metadata (metadata.name and metadata.namespace always are)`,
        );
      const resolved = resolveJsonPath(schema, path);
      if ('problem' in resolved) throw new Error(resolved.problem);
      if (!selectableTypes.has(resolved.schema.type ?? ''))
        throw new Error(`"${spec.jsonPath}" must be a string, integer or boolean field`);
      const field = path.steps.join('.');
      if (seen.has(field)) throw new Error(`"${spec.jsonPath}" is listed twice`);
      seen.add(field);
      fields.push({
        field,
        value: (object) => {
          const value = path.first(object);
          return value === undefined || value === null ? undefined : String(value);
        },
      });
    } catch (error) {
      problems.push(`${at}: ${(error as Error).message}`);
    }
  });
  return fields;
}
