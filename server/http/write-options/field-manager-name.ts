/**
 * The manager name kube derives from a User-Agent when a write names no fieldManager: the
 * part before the first `/`, without unprintable characters, cut to 128 bytes
 * (`kubectl/v1.33.0 (linux/amd64) kubernetes/abc` -> `kubectl`).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  let out = '';
  let bytes = 0;
  for (const char of (userAgent ?? '').split('/')[0]) {
    if (!isPrintable(char)) continue;
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > 128) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrintable(char: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(char);
}
