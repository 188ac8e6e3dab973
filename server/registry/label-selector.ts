import { errors } from '../api/errors.js';
import { labelValueErrors, qualifiedNameErrors } from './object-meta-validation.js';

type Operator = 'in' | 'notin' | 'exists' | 'doesnotexist' | 'gt' | 'lt';

interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** A parsed `labelSelector` query parameter; an empty selector matches everything. */
export class LabelSelector {
  private constructor(private readonly requirements: readonly Requirement[]) {}

  static readonly everything = new LabelSelector([]);

  /**
   * Parses the selector grammar of k8s.io/apimachinery/pkg/labels: `a=b`, `a==b`, `a!=b`,
   * `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas.
   * Throws a 400 Status on malformed input.
   */
  static parse(text: string | undefined): LabelSelector {
    if (!text || text.trim() === '') return LabelSelector.everything;
    return new LabelSelector(splitTopLevel(text).map(parseRequirement));
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }
}

function bad(text: string, why: string): Error {
  return errors.badRequest(`unable to parse requirement: ${why} (in "${text}")`);
}

/** Splits on commas that are not inside the parentheses of a set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw bad(text, 'unbalanced parentheses');
  }
  if (depth !== 0) throw bad(text, 'unbalanced parentheses');
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function checkKey(key: string, whole: string): string {
  const problems = qualifiedNameErrors(key);
  if (problems.length > 0) throw bad(whole, `invalid label key "${key}": ${problems.join('; ')}`);
  return key;
}

function checkValue(value: string, whole: string): string {
  const problems = labelValueErrors(value);
  if (problems.length > 0) throw bad(whole, `invalid label value: "${value}": ${problems.join('; ')}`);
  return value;
}

function parseRequirement(part: string): Requirement {
  if (part === '') throw bad(part, 'found empty requirement');
  if (part.startsWith('!'))
    return { key: checkKey(part.slice(1).trim(), part), operator: 'doesnotexist', values: [] };

  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim(), part));
    return { key: checkKey(set[1], part), operator: set[2] as Operator, values };
  }
  const comparison = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(part);
  if (comparison) {
    const [, key, op, value] = comparison;
    checkKey(key, part);
    if (op === '>' || op === '<') {
      if (!/^-?[0-9]+$/.test(value))
        throw bad(part, `for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, operator: op === '>' ? 'gt' : 'lt', values: [value] };
    }
    return { key, operator: op === '!=' ? 'notin' : 'in', values: [checkValue(value.trim(), part)] };
  }
  if (/^\S+$/.test(part)) return { key: checkKey(part, part), operator: 'exists', values: [] };
  throw bad(part, 'expected an operator');
}

function requirementMatches(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'in':
      return has && requirement.values.includes(value);
    case 'notin':
      return !has || !requirement.values.includes(value);
    case 'exists':
      return has;
    case 'doesnotexist':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?[0-9]+$/.test(value)) return false;
      const actual = Number(value);
      const bound = Number(requirement.values[0]);
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}
