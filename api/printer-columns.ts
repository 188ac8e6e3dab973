import { compileJsonPath, resolveJsonPath } from './json-path.js';
import type { JSONSchema } from './json-schema.js';
import type { TableColumn } from './resource-definition.js';
import type { PrinterColumnSpec } from './resource-spec.js';
import type { KubeObject } from './types.js';

type Cell = string | number | boolean | undefined;

/** The AGE column every resource shows last, as kube adds it to a CRD's columns. */
export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object) => object.metadata.creationTimestamp,
};

/**
 * A cell from a JSON value, as kube's CRD table convertor makes one: a value of the wrong type
 * for the column is no value (`<none>`); string columns print any scalar.
 */
function cellOf(type: PrinterColumnSpec['type'], value: unknown): Cell {
  switch (type) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : value === undefined || value === null
          ? undefined
          : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
    case 'number':
      return typeof value === 'number' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      return typeof value === 'string' ? value : undefined;
  }
}

/**
 * Turns the printer columns of one version into table columns, or reports what is wrong with
 * them (`where` prefixes each problem). The AGE column is added last unless a column is named Age.
 */
export function compilePrinterColumns(
  specs: readonly PrinterColumnSpec[],
  schema: JSONSchema,
  where: string,
  problems: string[],
): TableColumn[] {
  const columns: TableColumn[] = [];
  const types = ['string', 'integer', 'number', 'boolean', 'date'];
  specs.forEach((spec, i) => {
    const at = `${where}[${i}]`;
    if (!spec.name) problems.push(`${at}.name: required`);
    if (!types.includes(spec.type))
      problems.push(`${at}.type: "${String(spec.type)}" must be one of ${types.join(', ')}`);
    if (spec.priority !== undefined && (!Number.isInteger(spec.priority) || spec.priority < 0))
      problems.push(`${at}.priority: must be a non-negative integer`);
    const hasPath = spec.jsonPath !== undefined;
    const hasValue = spec.value !== undefined;
    if (hasPath === hasValue) {
      problems.push(`${at}: exactly one of jsonPath and value is required`);
      return;
    }
    let cell: (object: KubeObject) => Cell;
    if (spec.value) {
      if (typeof spec.value !== 'function') {
        problems.push(`${at}.value: must be a function`);
        return;
      }
      const compute = spec.value;
      cell = (object) => cellOf(spec.type, compute(object));
    } else {
      try {
        const path = compileJsonPath(spec.jsonPath ?? '');
        const resolved = resolveJsonPath(schema, path);
        if ('problem' in resolved) {
          problems.push(`${at}.jsonPath: ${resolved.problem}`);
          return;
        }
        cell = (object) => cellOf(spec.type, path.first(object));
      } catch (error) {
        problems.push(`${at}.jsonPath: ${(error as Error).message}`);
        return;
      }
    }
    columns.push({
      name: spec.name,
      type: spec.type,
      ...(spec.format !== undefined ? { format: spec.format } : {}),
      description: spec.description ?? '',
      priority: spec.priority ?? 0,
      cell,
    });
  });
  if (!columns.some((c) => c.name.toLowerCase() === 'age')) columns.push(ageColumn);
  return columns;
}
