import {
  asciiWarningText,
  WARNING_ITEM_LIMIT,
  WARNING_TOTAL_LIMIT,
  warningHeaders,
  warningHeaderValue,
} from '../../../server/http/warning-headers.js';

/** What client-go reads back from a warn-text: the quoted-string with its escapes undone. */
function unquote(value: string): string {
  const match = /^299 - "(.*)"$/.exec(value);
  if (!match) throw new Error(`not a warning header: ${value}`);
  return match[1].replace(/\\(.)/g, '$1');
}

describe('warningHeaders', () => {
  test('writes each distinct warning once, in order, as 299 - "<text>"', () => {
    expect(warningHeaders(['a', 'b', 'a', ''])).toEqual(['299 - "a"', '299 - "b"']);
  });

  test('escapes quotes and backslashes as a quoted-string', () => {
    const value = warningHeaderValue(asciiWarningText('unknown field "a\\b"'));
    expect(value).toBe('299 - "unknown field \\"a\\\\b\\""');
    expect(unquote(value)).toBe('unknown field "a\\b"');
  });

  test('writes every character outside printable ASCII as a Go-style escape the client reads as text', () => {
    const [value] = warningHeaders(['unknown field "spec.名" \u0007 é \u{1f600}\r\n']);
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(unquote(value)).toBe('unknown field "spec.\\u540d" \\u0007 \\u00e9 \\U0001f600\\u000d\\u000a');
  });

  test('cuts warnings to the item limit once the total is past the limit, never inside an escape', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `unknown field "spec.名${i}${'x'.repeat(300)}"`);
    const headers = warningHeaders(many);
    const total = headers.reduce((sum, h) => sum + h.length, 0);
    expect(total).toBeLessThan(WARNING_TOTAL_LIMIT + WARNING_ITEM_LIMIT + 16);
    expect(headers.length).toBeLessThan(20);
    for (const header of headers) {
      const text = unquote(header);
      expect(text.length).toBeLessThanOrEqual(WARNING_ITEM_LIMIT);
      expect(text).toMatch(/^unknown field "spec\.\\u540d/);
      expect(text).not.toMatch(/\\u[0-9a-f]{0,3}$/);
    }
  });

  test('writes all warnings whole while they fit in the total', () => {
    const warnings = ['x'.repeat(1000), 'y'.repeat(1000), 'z'.repeat(1000)];
    expect(warningHeaders(warnings).map(unquote)).toEqual(warnings);
  });
});
