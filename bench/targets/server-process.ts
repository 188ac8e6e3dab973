import { request } from '../../test/e2e/support/http.js';
import type { ProcessGroup, SupervisedProcess } from '../../test/e2e/support/processes.js';
import { waitFor } from '../../test/e2e/support/wait.js';
import { USERS } from '../environment/bench-cluster.js';
import { pinned } from '../environment/cpu-affinity.js';
import type { ReadyTiming } from './target.js';

/** How a server under test is started and how to tell it is ready. */
export interface ServerLaunch {
  /** Names its log file. */
  readonly name: string;
  /** The command line (unpinned). */
  readonly command: readonly string[];
  /** taskset list for the server; empty: unpinned. */
  readonly cpus: string;
  readonly url: string;
  /** Credentials for the readiness probes: the front proxy's certificate, as system:masters. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** A list over all namespaces, limit=500; its first answer marks the data as served. */
  readonly firstPagePath: string;
  /** Default 10 minutes (a server with 100,000 objects loads them all before it is ready). */
  readonly timeoutMs?: number;
}

const ADMIN_HEADERS = { 'X-Remote-User': USERS.admin.name, 'X-Remote-Group': 'system:masters' };

/**
 * Starts a server process and resolves once it is ready, with how long that took: until
 * /readyz answered 200, and until the first page of a list was served.
 */
export async function startServerProcess(
  group: ProcessGroup,
  launch: ServerLaunch,
): Promise<{ process: SupervisedProcess; timing: ReadyTiming }> {
  const [command, ...args] = pinned(launch.cpus, launch.command);
  const started = performance.now();
  const supervised = group.start({ name: launch.name, command, args });
  const tls = { ca: launch.caPem, cert: launch.certPem, key: launch.keyPem, headers: ADMIN_HEADERS };
  const answers = async (path: string): Promise<boolean> => {
    supervised.assertRunning();
    try {
      return (await request(`${launch.url}${path}`, { ...tls, timeoutMs: 30_000 })).status === 200;
    } catch {
      return false;
    }
  };
  const timeoutMs = launch.timeoutMs ?? 600_000;
  try {
    await waitFor(() => answers('/readyz'), `${launch.name} /readyz`, timeoutMs, { intervalMs: 20 });
    const readyMs = performance.now() - started;
    await waitFor(() => answers(launch.firstPagePath), `${launch.name} to serve a list`, timeoutMs, {
      intervalMs: 20,
    });
    return { process: supervised, timing: { readyMs, firstPageMs: performance.now() - started } };
  } catch (error) {
    await supervised.stop(2_000);
    throw new Error(
      `${(error as Error).message}\nlog ${supervised.logFile} ends with:\n${supervised.logTail()}`,
      {
        cause: error,
      },
    );
  }
}
