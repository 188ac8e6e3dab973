/**
 * `Warning` response headers as kube-apiserver writes them (k8s.io/apiserver's warning recorder
 * and k8s.io/apimachinery's NewWarningHeader): `299 - "<text>"`, one header per distinct text, in
 * the order they were raised, bounded in total size.
 *
 * The text is RFC 7234 warn-text, a quoted-string: `"` and `\` are escaped with a backslash.
 * kube writes the rest of the text as raw UTF-8; Node refuses header values outside Latin-1 (an
 * HTTP/1.1 response throws ERR_INVALID_CHAR, an HTTP/2 stream is reset), so here every character
 * outside printable ASCII is written as a Go-style escape (`\u540d`, `\U0001f600`) that the client
 * reads back as text. No byte of a request can therefore break a header.
 *
 * The bounds are kube's, applied to the encoded headers so that what goes on the wire is bounded
 * in bytes: while the headers fit in {@link WARNING_TOTAL_LIMIT} characters every warning is
 * written whole; past that, every warning is cut to {@link WARNING_ITEM_LIMIT} characters and
 * warnings are written until the total reaches the limit, the rest dropped. The result stays well
 * under Node's 16 KiB default for a client's response headers.
 */

/** The characters of warning headers written in full before the recorder starts truncating. */
export const WARNING_TOTAL_LIMIT = 4 * 1024;
/** The characters of escaped text a warning keeps once the total limit was reached. */
export const WARNING_ITEM_LIMIT = 256;

/** A warning's text with everything outside printable ASCII escaped, cut to `limit` characters. */
export function asciiWarningText(text: string, limit = Infinity): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const piece =
      code >= 0x20 && code < 0x7f
        ? char
        : code <= 0xffff
          ? `\\u${code.toString(16).padStart(4, '0')}`
          : `\\U${code.toString(16).padStart(8, '0')}`;
    // Never cut an escape in half: it would read back as different text.
    if (out.length + piece.length > limit) break;
    out += piece;
  }
  return out;
}

/** One header value: code 299, no agent (`-`), the text as a quoted-string. */
export function warningHeaderValue(asciiText: string): string {
  return `299 - "${asciiText.replace(/["\\]/g, '\\$&')}"`;
}

/** The `Warning` header values for the warnings a request raised (possibly repeated). */
export function warningHeaders(warnings: readonly string[]): string[] {
  const distinct = [...new Set(warnings)].filter((text) => text !== '');
  const whole = distinct.map((text) => warningHeaderValue(asciiWarningText(text)));
  if (totalLength(whole) <= WARNING_TOTAL_LIMIT) return whole;
  const truncated: string[] = [];
  let total = 0;
  for (const text of distinct) {
    if (total >= WARNING_TOTAL_LIMIT) break;
    const value = warningHeaderValue(asciiWarningText(text, WARNING_ITEM_LIMIT));
    truncated.push(value);
    total += value.length;
  }
  return truncated;
}

function totalLength(values: readonly string[]): number {
  return values.reduce((sum, value) => sum + value.length, 0);
}
