import { randomInt } from 'node:crypto';

// The alphabet of k8s.io/apiserver's name generator: no vowels (no words), no look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxPrefixLength = 63 - 5;

/**
 * `generateName` + five random characters, the prefix cut so the name stays a valid label. A
 * `generateName` that is not a string (it comes straight from the request body) generates
 * nothing: the empty name then fails validation, which also reports the generateName's type.
 */
export function generateName(prefix: unknown): string {
  if (typeof prefix !== 'string') return '';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)];
  return `${prefix.slice(0, maxPrefixLength)}${suffix}`;
}
