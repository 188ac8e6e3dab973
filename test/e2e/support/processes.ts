import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FatalWaitError } from './wait.js';

/** How a supervised process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to run; stdout and stderr go to `<logsDir>/<name>.log`. */
export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** How long a stop waits after SIGTERM before it sends SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * The jest runner's real `process`. Inside a test file `process` is a copy made by
 * jest-environment-node: listeners added to it never fire when the runner exits. `Buffer` is
 * shared with the outer realm, so its `Function` constructor evaluates in the outer global scope.
 */
function hostProcess(): NodeJS.Process {
  const OuterFunction = Buffer.constructor as FunctionConstructor;
  return new OuterFunction('return process')() as NodeJS.Process;
}

const LIVE_PIDS = Symbol.for('aggregated-apiserver.e2e.live-pids');

/**
 * The pids of every supervised process that is still running, shared by all test files of the
 * runner (jest evaluates this module once per file, the runner process is the same). The first
 * call registers one `exit` listener that SIGKILLs whatever is left, synchronously.
 */
function livePids(): Set<number> {
  const host = hostProcess() as NodeJS.Process & { [LIVE_PIDS]?: Set<number> };
  let pids = host[LIVE_PIDS];
  if (!pids) {
    const created = new Set<number>();
    pids = created;
    host[LIVE_PIDS] = created;
    host.on('exit', () => {
      for (const pid of created) {
        try {
          host.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  return pids;
}

/** One child process whose output goes to a log file. */
export class SupervisedProcess {
  /** Resolves when the process has exited (or could not be started at all). */
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private spawnError: Error | undefined;

  constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.on('error', (error) => {
        // Only a failed spawn leaves us without an exit event (later errors, e.g. from kill, are moot).
        if (child.pid === undefined) {
          this.spawnError = error;
          this.status = { code: null, signal: null };
          resolve(this.status);
        }
      });
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** How the process ended, or undefined while it runs. */
  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** The last `lines` lines of the process's log. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Throws, with the end of the log, when the process is no longer running. The error is a
   * `FatalWaitError`, so a `waitFor` whose condition calls this gives up at once.
   */
  assertRunning(): void {
    if (this.running) return;
    const how = this.spawnError
      ? `could not be started: ${this.spawnError.message}`
      : `exited (code ${this.status?.code}, signal ${this.status?.signal})`;
    throw new FatalWaitError(`${this.name} ${how}; log ${this.logFile} ends with:\n${this.logTail()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<ExitStatus> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      try {
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }
}

/**
 * Starts and stops the processes of one test setup. Nothing leaks when a test fails half-way:
 * - `stopAll()` (called from `afterAll` by the control plane) stops them in reverse start order;
 * - an `exit` listener on the jest runner SIGKILLs whatever is still running;
 * - a detached watchdog shell SIGKILLs them, and removes `cleanupDirs`, when the runner itself
 *   dies without running exit listeners (SIGKILL, SIGTERM, a crash).
 */
export class ProcessGroup {
  private readonly processes: SupervisedProcess[] = [];
  private readonly pidFile: string;
  private watchdog: ChildProcess | undefined;

  /**
   * @param logsDir where `<name>.log` files go
   * @param stateDir where the watchdog's pid list lives
   * @param cleanupDirs removed by the watchdog after an abnormal runner exit
   */
  constructor(
    readonly logsDir: string,
    stateDir: string,
    cleanupDirs: readonly string[] = [],
  ) {
    this.pidFile = join(stateDir, 'supervised.pids');
    writeFileSync(this.pidFile, '');
    this.startWatchdog(cleanupDirs);
  }

  /** The processes started so far, in start order. */
  get all(): readonly SupervisedProcess[] {
    return this.processes;
  }

  /** Starts a process with stdout and stderr appended to `<logsDir>/<name>.log`. */
  start(spec: ProcessSpec): SupervisedProcess {
    const logFile = join(this.logsDir, `${spec.name}.log`);
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      writeSync(fd, `# ${new Date().toISOString()} ${[spec.command, ...spec.args].join(' ')}\n`);
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    // A forgotten stop() must not keep jest alive: the runner then exits normally and its exit
    // listener kills the process.
    child.unref();
    const supervised = new SupervisedProcess(spec.name, logFile, child);
    this.processes.push(supervised);
    const pid = child.pid;
    if (pid !== undefined) {
      const pids = livePids();
      pids.add(pid);
      this.writePidFile();
      void supervised.exited.then(() => {
        pids.delete(pid);
        this.writePidFile();
      });
    }
    return supervised;
  }

  /** Stops every process, last started first, then the watchdog. */
  async stopAll(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    for (const supervised of [...this.processes].reverse()) await supervised.stop(graceMs);
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
  }

  private writePidFile(): void {
    const running = this.processes.filter((p) => p.running && p.pid !== undefined).map((p) => p.pid);
    try {
      if (existsSync(this.pidFile)) writeFileSync(this.pidFile, running.join('\n') + '\n');
    } catch {
      // the state dir is being removed
    }
  }

  private startWatchdog(cleanupDirs: readonly string[]): void {
    const script = [
      'parent=$1; pids=$2; shift 2',
      'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
      'if [ -f "$pids" ]; then for pid in $(cat "$pids"); do kill -KILL "$pid" 2>/dev/null; done; fi',
      'for dir in "$@"; do rm -rf "$dir"; done',
    ].join('\n');
    const watchdog = spawn(
      'sh',
      ['-c', script, 'e2e-watchdog', String(process.pid), this.pidFile, ...cleanupDirs],
      {
        detached: true,
        stdio: 'ignore',
      },
    );
    watchdog.unref();
    this.watchdog = watchdog;
  }
}
