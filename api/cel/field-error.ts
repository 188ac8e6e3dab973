import type { StatusCause } from '../types.js';

/**
 * Causes worded as k8s.io/apimachinery's field.Error words them (ErrorBody): the type's text,
 * the bad value printed as Go's %v/%q would print the decoded JSON value, then the detail.
 */
export type FieldErrorReason =
  'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

/** A value left out of the message (kube's field.OmitValueType, used for objects and arrays). */
export const omitValue = Symbol('omit value');

/** Go's %q: printable characters as they are, the rest escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + '"';
}

/** Go's %v of a float64 (strconv 'g' with the shortest precision): 1.5, 1e+06, 1.234567e+06. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exponentText] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(n);
}

/** The bad value as field.Error prints it; JSON integers decode to int64, other numbers to float64. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? String(value) : goFloat(value);
  return goQuote(JSON.stringify(value));
}

const typeText: Record<FieldErrorReason, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
};

/** A cause for `field`, worded as field.Invalid / Forbidden / Required / Duplicate word it. */
export function fieldCause(
  reason: FieldErrorReason,
  field: string,
  value: unknown,
  detail: string,
): StatusCause {
  let message = typeText[reason];
  if (reason === 'FieldValueInvalid' || reason === 'FieldValueDuplicate') {
    if (value !== omitValue) message += `: ${goValue(value)}`;
  }
  if (reason !== 'FieldValueDuplicate' && detail) message += `: ${detail}`;
  return { reason, message, field };
}
