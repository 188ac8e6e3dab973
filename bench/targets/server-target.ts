import type { RunningEtcd } from '../../test/e2e/support/etcd.js';
import type { SupervisedProcess } from '../../test/e2e/support/processes.js';
import { retryOnPortConflict } from '../../test/support/ports.js';
import type { ServedResource } from './served-resource.js';
import { startServerProcess, type ServerLaunch } from './server-process.js';
import type { ReadyTiming, Target, TargetId } from './target.js';
import type { TargetEnvironment } from './target-environment.js';

/** A server under test running as a child process (this server or sample-apiserver). */
export class ServerTarget implements Target {
  private constructor(
    readonly id: TargetId,
    readonly url: string,
    /** Set again once sample-apiserver's padding is calibrated. */
    public resource: ServedResource,
    private readonly environment: TargetEnvironment,
    private readonly launch: ServerLaunch,
    private readonly etcd: RunningEtcd | undefined,
    private current: SupervisedProcess,
  ) {}

  static async start(
    id: TargetId,
    resource: ServedResource,
    environment: TargetEnvironment,
    launch: ServerLaunch,
    etcd: RunningEtcd | undefined,
  ): Promise<ServerTarget> {
    try {
      const first = await retryOnPortConflict(() => startServerProcess(environment.group, launch));
      return new ServerTarget(id, launch.url, resource, environment, launch, etcd, first.process);
    } catch (error) {
      await etcd?.process.stop();
      throw error;
    }
  }

  get serverPid(): number {
    return this.current.pid ?? -1;
  }

  get observe(): Readonly<Record<string, number>> {
    const etcdPid = this.etcd?.process.pid;
    return {
      server: this.serverPid,
      ...(etcdPid !== undefined ? { etcd: etcdPid } : {}),
      'kube-apiserver': this.environment.cluster.kubeApiServerPid,
    };
  }

  /** Stops the server and starts it again on the same data, timing how long it takes to be ready. */
  async restart(): Promise<ReadyTiming> {
    await this.current.stop();
    const next = await startServerProcess(this.environment.group, this.launch);
    this.current = next.process;
    return next.timing;
  }

  async stop(): Promise<void> {
    await this.current.stop();
    await this.etcd?.process.stop();
  }
}
