import type { JSONSchema } from './json-schema.js';
import type { CompiledRules } from './resource-definition.js';

const none: CompiledRules = { empty: true, validate: () => [] };

/** Compiles the schema's `x-kubernetes-validations` (CEL). */
export function compileValidationRules(schema: JSONSchema): { rules: CompiledRules; problems: string[] } {
  const problems: string[] = [];
  const find = (node: JSONSchema, at: string): void => {
    if (node['x-kubernetes-validations']?.length)
      problems.push(`${at}x-kubernetes-validations: CEL rules are not wired yet`);
    for (const [name, child] of Object.entries(node.properties ?? {}))
      find(child, `${at}properties.${name}.`);
    if (node.items) find(node.items, `${at}items.`);
    if (typeof node.additionalProperties === 'object')
      find(node.additionalProperties, `${at}additionalProperties.`);
  };
  find(schema, '');
  return { rules: none, problems };
}
