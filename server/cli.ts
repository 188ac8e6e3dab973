#!/usr/bin/env node
/**
 * The `aggregated-apiserver` command. The server's runtime packages are optional peers of the
 * published package (a construct-only install never fetches or builds them), so check for them
 * before loading the server and say how to install the ones missing.
 */
import { missingServerRuntime, SERVER_RUNTIME_PACKAGES } from './runtime-packages.js';

const missing = missingServerRuntime();
if (missing.length > 0) {
  process.stderr.write(
    `Error: the server needs ${missing.join(', ')}, which an install for the constructs leaves out.\n` +
      `Install its runtime: npm install ${SERVER_RUNTIME_PACKAGES.filter((p) => missing.includes(p.name))
        .map((p) => `${p.name}@"${p.range}"`)
        .join(' ')}\n`,
  );
  process.exit(1);
}
await import('./main.js');
