import { ResourceDefinitionError } from '../api/define-resource.js';
import { FlagError, usage } from './options/flag-parser.js';
import { parseServeFlags, serveFlagSpecs } from './controllers/controller-flags.js';
import { startApiServer, type RunningApiServer, type ServeOptions } from './server-runner.js';
import { createLogger, type Logger } from './util/logger.js';

/** A server entry's options: what to serve, and optionally the command line to read. */
export interface RunApiServerOptions extends ServeOptions {
  /** The command-line flags. @default process.argv.slice(2) */
  readonly args?: readonly string[];
  /** Where logs go. @default - JSON lines on stderr at the `--v` level */
  readonly logger?: Logger;
}

/**
 * The main of a server entry: parses the generic apiserver flags (`--help` lists them), starts
 * the server, and shuts it down gracefully on SIGTERM or SIGINT. A bad flag or definition ends
 * the process with a clear message (exit code 2 or 1); resolves with the running server, or
 * undefined after `--help`.
 */
export async function runApiServer(options: RunApiServerOptions): Promise<RunningApiServer | undefined> {
  const args = options.args ?? process.argv.slice(2);
  try {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(
        `Usage: ${process.argv[1] ?? 'aggregated-apiserver'} [flags]\n\n${usage(serveFlagSpecs(options.controllers ?? []))}\n`,
      );
      return undefined;
    }
    const flags = parseServeFlags(args, options.controllers);
    if (flags.standalone && !args.some((a) => a.startsWith('--secure-port'))) flags.securePort = 6443;
    if (flags.standalone && !args.some((a) => a.startsWith('--bind-address')))
      flags.bindAddress = '127.0.0.1';
    const log = options.logger ?? createLogger(flags.verbosity);
    const server = await startApiServer(flags, log, options);
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
        `Serving on https://${flags.bindAddress}:${server.port}\nkubectl --kubeconfig ${server.kubeconfigPath} api-resources\n`,
      );
    }
    return server;
  } catch (error) {
    if (error instanceof FlagError) {
      process.stderr.write(`Error: ${error.message}\nRun with --help for the list of flags.\n`);
      process.exit(2);
    }
    if (error instanceof ResourceDefinitionError) {
      process.stderr.write(`Error: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
