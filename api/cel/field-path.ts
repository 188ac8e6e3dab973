import type { JSONSchema } from '../json-schema.js';

/**
 * Field paths as k8s.io/apimachinery's field.Path prints them: `spec.items[2]`, map keys in
 * brackets without quotes (`spec.labels[app]`), and `<nil>` for the root itself.
 */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static readonly root = new FieldPath('');

  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(key: string): FieldPath {
    return new FieldPath(`${this.text}[${key}]`);
  }
  toString(): string {
    return this.text || '<nil>';
  }
}

const unescapeChar: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  "'": "'",
  '\\': '\\',
};

function tokenize(path: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.' || c === '[' || c === ']') {
      tokens.push(c);
      i++;
    } else if (c === "'") {
      let j = i + 1;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== '\\')) j++;
      tokens.push(path.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < path.length && !'.[]'.includes(path[j])) j++;
      tokens.push(path.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/**
 * Resolves a rule's `fieldPath` (`.spec.replicas`, `.labels['app.kubernetes.io/name']`) against
 * the schema at the rule's node, as kube-apiserver's ValidFieldPath does: only fields and map
 * keys, every step declared in the schema. Returns the path relative to the node, or an error.
 */
export function resolveFieldPath(path: string, schema: JSONSchema): { path: string[] } | { error: string } {
  const tokens = tokenize(path);
  const steps: string[] = [];
  let at: JSONSchema | undefined = schema;
  const step = (name: string): string | undefined => {
    if (!at) return 'does not refer to a valid field';
    if (at.properties) {
      if (!Object.hasOwn(at.properties, name)) return 'does not refer to a valid field';
      at = at.properties[name];
      steps.push(`.${name}`);
    } else if (at.additionalProperties !== undefined && typeof at.additionalProperties === 'object') {
      at = at.additionalProperties;
      steps.push(`[${name}]`);
    } else return 'does not refer to a valid field';
    return undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '.') {
      const name = tokens[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const error = step(name);
      if (error) return { error };
    } else if (token === '[') {
      const quoted = tokens[++i];
      if (quoted === undefined) return { error: 'unexpected end of JSON path' };
      if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'"))
        return { error: `expected single quoted string but got ${quoted}` };
      let invalid = false;
      const unquoted = quoted.slice(1, -1).replace(/\\./g, (m) => {
        const replacement = unescapeChar[m[1]];
        if (replacement === undefined) invalid = true;
        return replacement ?? '';
      });
      if (invalid) return { error: 'invalid string literal' };
      const error = step(unquoted);
      if (error) return { error };
      if (tokens[++i] !== ']') return { error: `expected ] but got ${tokens[i]}` };
    } else return { error: `expected [ or . but got: ${token}` };
  }
  return { path: steps };
}

/** Appends the resolved steps to a node's path. */
export function appendSteps(base: FieldPath, steps: readonly string[]): FieldPath {
  let path = base;
  for (const s of steps) path = s.startsWith('.') ? path.child(s.slice(1)) : path.key(s.slice(1, -1));
  return path;
}
