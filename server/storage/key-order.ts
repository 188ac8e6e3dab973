/**
 * How storage keys are ordered and how a key prefix maps to a key range.
 *
 * Every backend orders keys by Unicode code point, which is the byte order of their UTF-8
 * encoding: what SQLite's BINARY collation and etcd compare. JavaScript's `<` compares UTF-16
 * code units instead, which disagrees for characters above U+FFFF (surrogate pairs) versus
 * U+E000..U+FFFF, so backends that sort in JavaScript use `compareKeys`. Keys built from
 * Kubernetes names are ASCII, where both orders agree; the care is for keys that are not.
 */

const FIRST_SURROGATE = 0xd800;
const LAST_SURROGATE = 0xdfff;
const FIRST_AFTER_SURROGATES = 0xe000;
const LAST_CODE_POINT = 0x10ffff;

/** Maps a UTF-16 code unit to a rank whose order is code point order: surrogates rank last. */
function codePointRank(codeUnit: number): number {
  if (codeUnit >= FIRST_SURROGATE && codeUnit <= LAST_SURROGATE) return codeUnit + 0x2000;
  if (codeUnit >= FIRST_AFTER_SURROGATES) return codeUnit - 0x800;
  return codeUnit;
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in code point order. */
export function compareKeys(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const left = a.charCodeAt(i);
    const right = b.charCodeAt(i);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or undefined when there
 * is none (the empty prefix, or one made only of U+10FFFF). Keys under `prefix` are exactly
 * those with `prefix <= key < prefixRangeEnd(prefix)`, which lets an ordered index answer a
 * prefix query as a range scan. Appending '\uffff' instead would be wrong: keys with
 * characters above U+FFFF after the prefix sort after it.
 */
export function prefixRangeEnd(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  for (let i = codePoints.length - 1; i >= 0; i--) {
    const codePoint = codePoints[i].codePointAt(0) ?? 0;
    if (codePoint < LAST_CODE_POINT) {
      let next = codePoint + 1;
      // Lone surrogates are not characters (they cannot be stored as UTF-8); skip past them.
      if (next >= FIRST_SURROGATE && next <= LAST_SURROGATE) next = FIRST_AFTER_SURROGATES;
      return codePoints.slice(0, i).join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
