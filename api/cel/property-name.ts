/**
 * Property names as CEL sees them, escaped as kube-apiserver escapes them
 * (k8s.io/apiserver/pkg/cel/escaping.go): `__` -> `__underscores__`, `.` -> `__dot__`,
 * `-` -> `__dash__`, `/` -> `__slash__`, and CEL's reserved words -> `__{word}__`. A name
 * with any other character cannot be written in CEL, so the property is not exposed.
 */
const reservedWords = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

const escapable = /^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/;

/** The escaped name, or undefined when the name cannot be exposed to CEL. */
export function escapePropertyName(name: string): string | undefined {
  if (reservedWords.has(name)) return `__${name}__`;
  if (!escapable.test(name)) return undefined;
  let escaped = '';
  for (let i = 0; i < name.length; i++) {
    if (name.startsWith('__', i)) {
      escaped += '__underscores__';
      i++;
      continue;
    }
    const c = name[i];
    escaped += c === '.' ? '__dot__' : c === '-' ? '__dash__' : c === '/' ? '__slash__' : c;
  }
  return escaped;
}
