import { describe, expect, it } from '@jest/globals';
import { compileError, estimatedCost, evaluate, runtimeCost } from './evaluate.js';

/** The reasons a value fails a format, or [] when it is valid. */
const reasons = (format: string, value: string): unknown =>
  evaluate(`format.${format}().validate('${value}').orValue([])`);

describe('format library', () => {
  it('accepts valid values with optional.none()', () => {
    expect(evaluate("format.dns1123Label().validate('my-name').hasValue()")).toBe(false);
    for (const [format, value] of [
      ['dns1123Subdomain', 'example.com'],
      ['dns1035Label', 'abc-123'],
      ['qualifiedName', 'example.com/MyName'],
      ['labelValue', ''],
      ['uri', 'https://example.com/x'],
      ['uuid', '123e4567-e89b-12d3-a456-426614174000'],
      ['byte', 'aGVsbG8='],
      ['date', '2024-02-29'],
      ['datetime', '2024-01-01t10:00:00.5+01:00'],
    ])
      expect([format, [...(reasons(format, value) as Iterable<unknown>)]]).toEqual([format, []]);
  });

  it("gives apimachinery's reasons for invalid values", () => {
    expect([...(reasons('dns1123Label', 'a.b') as Iterable<unknown>)]).toEqual(['must not contain dots']);
    expect([...(reasons('dns1123Label', 'My_Name') as Iterable<unknown>)]).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect([...(reasons('dns1123Label', 'a'.repeat(64)) as Iterable<unknown>)]).toEqual([
      'must be no more than 63 characters',
    ]);
    expect([...(reasons('qualifiedName', '/x') as Iterable<unknown>)]).toEqual([
      'prefix part must be non-empty',
    ]);
    expect((reasons('qualifiedName', 'Bad_/x-') as { size: number }).size).toBe(2);
    expect([...(reasons('uri', '../x') as Iterable<unknown>)]).toEqual([
      'parse "../x": invalid URI for request',
    ]);
    expect([...(reasons('uuid', 'xyz') as Iterable<unknown>)]).toEqual(['does not match the UUID format']);
    expect([...(reasons('byte', 'abc') as Iterable<unknown>)]).toEqual(['invalid base64']);
    expect([...(reasons('date', '2023-02-29') as Iterable<unknown>)]).toEqual(['invalid date']);
    expect([...(reasons('datetime', '2024-01-01T25:00:00Z') as Iterable<unknown>)]).toEqual([
      'invalid datetime',
    ]);
  });

  it('validates prefixes of generated names with the trailing dash masked', () => {
    expect((reasons('dns1123LabelPrefix', 'abc-') as { size: number }).size).toBe(0);
    expect((reasons('dns1123Label', 'abc-') as { size: number }).size).toBe(1);
  });

  it('looks formats up by name', () => {
    expect(evaluate("format.named('dns1123Label').hasValue()")).toBe(true);
    expect(evaluate("format.named('nope').hasValue()")).toBe(false);
    expect(evaluate("format.named('labelValue').value() == format.labelValue()")).toBe(true);
  });

  it('refuses wrong argument types and unknown formats at compile time', () => {
    expect(compileError('format.dns1123Label().validate(1)')).toContain(
      "found no matching overload for 'validate' applied to 'kubernetes.NamedFormat.(int)'",
    );
    expect(compileError("format.nope().validate('x')")).toContain("undeclared reference to 'nope'");
  });

  it('estimates validate() as a 128-character regex match over the string', () => {
    expect(estimatedCost(`format.dns1123Label().validate('${'a'.repeat(100)}')`)).toBe(321);
    expect(estimatedCost('format.dns1123Label() == format.dns1123Label()')).toBe(9);
  });

  it("charges validate() at run time for its format's own pattern", () => {
    // format.dns1123Label() (1) and ceil(101 / 10) × ceil(30 / 4).
    expect(runtimeCost(`format.dns1123Label().validate('${'a'.repeat(100)}')`)).toBe(1 + 11 * 8);
  });
});
