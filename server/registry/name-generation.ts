import { randomInt } from 'node:crypto';

// The alphabet of k8s.io/apiserver's name generator: no vowels (no words), no look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxPrefixLength = 63 - 5;

/** `generateName` + five random characters, the prefix cut so the name stays a valid label. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)];
  return `${prefix.slice(0, maxPrefixLength)}${suffix}`;
}
