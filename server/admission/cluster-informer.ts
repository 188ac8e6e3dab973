import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '../util/logger.js';

export interface ClusterInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Named in logs. */
  readonly description: string;
  readonly log: Logger;
  /**
   * Delay before listing again after a failure; doubles up to 30 s.
   * @default 500
   */
  readonly retryInitialMs?: number;
}

/**
 * A collection of the core cluster held in memory by client-node's informer, as client-go's
 * shared informers hold the webhook and policy configurations for kube-apiserver's admission:
 * listed once, then watched, listed again after any failure with a growing pause, and
 * readable at any time. `waitForSync` tells whether the first list has arrived.
 */
export class ClusterInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly listeners = new Set<() => void>();
  private synced = false;
  private stopped = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly options: ClusterInformerOptions<T>) {
    this.retryMs = options.retryInitialMs ?? 500;
    this.informer = makeInformer(options.kubeConfig, options.path, async () => {
      const list = await options.list();
      // The informer fills its cache from the list after this returns, within the same turn.
      setImmediate(() => this.markSynced());
      return list;
    });
    const changed = (): void => {
      for (const listener of this.listeners) listener();
    };
    this.informer.on('add', changed);
    this.informer.on('update', changed);
    this.informer.on('delete', changed);
    this.informer.on('error', (error: unknown) => this.failed(error));
  }

  /** Starts listing and watching; never rejects (failures are retried and logged). */
  start(): void {
    if (this.stopped) return;
    this.informer.start().catch((error: unknown) => this.failed(error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const wake of this.syncWaiters.splice(0)) wake();
    await this.informer.stop();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list has arrived, or false after `timeoutMs`. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== wake);
        resolve(this.synced);
      }, timeoutMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(this.synced);
      };
      this.syncWaiters.push(wake);
    });
  }

  list(): readonly T[] {
    return this.informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** Called after every change the watch delivers (and every relist's changes). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private markSynced(): void {
    this.retryMs = this.options.retryInitialMs ?? 500;
    if (this.synced) return;
    this.synced = true;
    for (const wake of this.syncWaiters.splice(0)) wake();
  }

  private failed(error: unknown): void {
    // Stopping aborts the watch, which client-node reports as an error: not a reason to restart.
    if (this.stopped) return;
    const retryInMs = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.options.log.info(1, `${this.options.description}: list or watch failed; retrying`, {
      error: error instanceof Error ? error.message : String(error),
      retryInMs,
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.start(), retryInMs);
    this.retryTimer.unref();
  }
}
