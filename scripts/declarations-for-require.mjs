// Writes a CommonJS copy (`.d.cts`) of every declaration file in build/, for the package's
// `require` export conditions. The package is ESM; Node >= 20.19 loads it with require() as well,
// but TypeScript under `module: node16`/`nodenext` types a `.d.ts` of an ESM package as ESM and
// refuses to let a CommonJS file import it (TS1479). Relative specifiers are rewritten from `.js`
// to `.cjs`, so each `.d.cts` refers to its `.d.cts` siblings.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const root = process.argv[2] ?? 'build';
const RELATIVE_SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+?)\.js(['"])/g;

let count = 0;
for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath ?? entry.path, entry.name);
  const text = readFileSync(path, 'utf8').replace(RELATIVE_SPECIFIER, '$1$2.cjs$3');
  writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), text);
  count++;
}
process.stderr.write(`wrote ${count} .d.cts declaration files under ${root}\n`);
