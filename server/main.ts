#!/usr/bin/env node
import { FlagError, usage } from './options/flag-parser.js';
import { parseServerFlags, serverFlagSpecs } from './options/server-flags.js';
import { runServer } from './server-runner.js';
import { createLogger } from './util/logger.js';

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: aggregated-apiserver [flags]\n\n${usage(serverFlagSpecs)}\n`);
    return;
  }
  const flags = parseServerFlags(argv);
  if (flags.standalone && !argv.some((a) => a.startsWith('--secure-port'))) flags.securePort = 6443;
  if (flags.standalone && !argv.some((a) => a.startsWith('--bind-address'))) flags.bindAddress = '127.0.0.1';
  const log = createLogger(flags.verbosity);
  const server = await runServer(flags, log);
  // Signal handlers first: whoever waits for the announcement may send SIGTERM at once.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.shutdown().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('shutdown failed', { error: String(error) });
          process.exit(1);
        },
      );
    });
  }
  if (server.kubeconfigPath) {
    process.stdout.write(
      `Serving on https://${flags.bindAddress}:${server.port}\nkubectl --kubeconfig ${server.kubeconfigPath} get metricsnapshots\n`,
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof FlagError) {
    process.stderr.write(`Error: ${error.message}\nRun with --help for the list of flags.\n`);
    process.exit(2);
  }
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
