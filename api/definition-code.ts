import type { ResourceSpec } from './resource-spec.js';

/**
 * What in a spec is code rather than data (storage, strategy hooks, conversions, column
 * functions), described for messages. Empty means the stock server can serve it from its JSON.
 */
export function codeIn(spec: ResourceSpec): string[] {
  const code: string[] = [];
  if (spec.storage) code.push('a custom storage');
  for (const hook of Object.keys(spec.strategy ?? {})) code.push(`the strategy hook ${hook}`);
  for (const version of spec.versions ?? []) {
    if (version.conversion) code.push(`the conversion of ${version.name}`);
    for (const column of version.printerColumns ?? [])
      if (column.value) code.push(`the printer column "${column.name}" of ${version.name} (a function)`);
  }
  return code;
}
