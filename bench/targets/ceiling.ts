import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from '../environment/cpu-affinity.js';
import type { SampleResponse } from '../load/protocol.js';
import type { CeilingMessage } from './ceiling-server.js';
import type { ServedResource } from './served-resource.js';
import type { Target } from './target.js';
import type { TargetEnvironment } from './target-environment.js';

/** The bare Node HTTP/2 server (ceiling-server.ts), pinned where the servers under test run. */
export class CeilingTarget implements Target {
  readonly id = 'ceiling' as const;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly resource: ServedResource,
  ) {}

  static async start(environment: TargetEnvironment, resource: ServedResource): Promise<CeilingTarget> {
    const script = fileURLToPath(new URL('./ceiling-server.ts', import.meta.url));
    const { certFile, keyFile } = environment.cluster.serving;
    const [command, ...args] = pinned(environment.cpus.server, [
      process.execPath,
      '--import',
      'tsx',
      script,
      certFile,
      keyFile,
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the ceiling server exited (code ${code})`)));
      child.on('message', (message: CeilingMessage) => {
        if (message.type === 'listening') resolve(message.port);
      });
    });
    return new CeilingTarget(child, `https://127.0.0.1:${port}`, resource);
  }

  get serverPid(): number {
    return this.child.pid ?? -1;
  }

  get observe(): Readonly<Record<string, number>> {
    return { server: this.serverPid };
  }

  /** From now on, every request is answered with `sample`'s body. */
  answerWith(sample: SampleResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = (message: CeilingMessage): void => {
        if (message.type !== 'answer-set') return;
        this.child.off('message', done);
        resolve();
      };
      this.child.on('message', done);
      this.child.send({
        type: 'answer',
        contentType: sample.contentType,
        body: sample.body,
      } satisfies CeilingMessage);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }
}
