import {
  CoreV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type V1ConfigMap,
  type V1ConfigMapList,
} from '@kubernetes/client-node';
import type { RetryBackoff } from './authentication-configuration-options.js';
import { withRequestTimeout } from './kube-client.js';

/** What the informer reports; each is called synchronously, in the order things happen. */
export interface ConfigMapInformerHandlers {
  /** A list (the first one, or a relist) found the ConfigMap, or found none (undefined). */
  listed(configMap: V1ConfigMap | undefined): void;
  /** A watch saw the ConfigMap created or changed. */
  changed(configMap: V1ConfigMap): void;
  /** The ConfigMap is gone: a watch saw it deleted, or a relist no longer found it. */
  deleted(configMap: V1ConfigMap): void;
  /** A list or watch failed, or a watch sent an error; the informer tries again in `retryInMs`. */
  failed(error: unknown, retryInMs: number): void;
}

export interface ConfigMapInformerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly handlers: ConfigMapInformerHandlers;
  /**
   * Timeout of each list.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Delay before trying again after a failure, or before reopening a watch that ended at once.
   * @default { initialMs: 500, maxMs: 30000 }
   */
  readonly retryBackoff?: RetryBackoff;
  /**
   * Server-side timeout of each watch.
   * @default 300 to 600, random per watch (as client-go's reflector)
   */
  readonly watchTimeoutSeconds?: number;
}

/** A watch that lasts less than this and delivers nothing counts as a failure, so reconnects cannot spin. */
const shortestHealthyWatchMs = 1000;

/**
 * One named ConfigMap, listed and then watched through client-node's informer (ListWatch),
 * field-selected to that name, so RBAC on that one resourceName suffices. The informer resumes
 * a watch the server ended from the last resourceVersion it saw (bookmarks included) and
 * relists when that version has expired (410). This class adds what client-go's reflector
 * does around it: a random server-side timeout per watch, bookmarks, retries with backoff after
 * failures (client-node's informer stops at the first), a pause before reopening a watch that
 * ended at once, and a stop after which no request is started.
 */
export class ConfigMapInformer {
  private readonly informer: ListWatch<V1ConfigMap>;
  private readonly stopping = new AbortController();
  /** Lists and watch openings on their way, for close(). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Set after a watch that must not be reopened at once: how long to wait first. */
  private pauseBeforeWatchMs: number | undefined;
  /** The resourceVersion the last list handed over, so the informer's replay of that list is not reported twice. */
  private listedVersion: string | undefined;
  private firstList: { resolve(): void; reject(error: unknown): void } | undefined;
  private started = false;

  constructor(private readonly options: ConfigMapInformerOptions) {
    const { kubeConfig, namespace, name, handlers } = options;
    this.backoff = new Backoff(options.retryBackoff ?? { initialMs: 500, maxMs: 30_000 });
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${name}`;
    const watch = new InterceptedWatch(kubeConfig, (request, open) =>
      this.track(this.openWatch(request, open)),
    );
    this.informer = new ListWatch<V1ConfigMap>(
      `/api/v1/namespaces/${namespace}/configmaps`,
      watch,
      () => this.track(this.list(core, fieldSelector)),
      false,
      undefined,
      fieldSelector,
    );
    const isOurs = (configMap: V1ConfigMap): boolean => configMap.metadata?.name === name;
    const changed = (configMap: V1ConfigMap): void => {
      if (!isOurs(configMap) || configMap.metadata?.resourceVersion === this.listedVersion) return;
      handlers.changed(configMap);
    };
    this.informer.on('add', changed);
    this.informer.on('update', changed);
    this.informer.on('delete', (configMap) => {
      if (isOurs(configMap)) handlers.deleted(configMap);
    });
    this.informer.on('error', (error: unknown) => this.failed(error));
  }

  /**
   * Lists, then watches in the background. Resolves once the first list has been handed to
   * `listed`; rejects with the first failure to list, while the informer keeps trying (stop it
   * if that failure is fatal).
   */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the informer was stopped'));
    if (this.started) return Promise.resolve();
    this.started = true;
    const first = new Promise<void>((resolve, reject) => (this.firstList = { resolve, reject }));
    this.restart();
    return first;
  }

  /** Stops listing and watching, aborts what is on its way, and starts nothing after. */
  stop(): void {
    if (this.stopped) return;
    this.stopping.abort();
    clearTimeout(this.retryTimer);
    void this.informer.stop();
    this.settleFirstList(new Error('the informer was stopped before its first list'));
  }

  /** stop(), and resolves once no list or watch opening of this informer is on its way. */
  async close(): Promise<void> {
    this.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private restart(): void {
    if (this.stopped) return;
    this.informer.start().catch((error: unknown) => this.failed(error));
  }

  private async list(core: CoreV1Api, fieldSelector: string): Promise<V1ConfigMapList> {
    const list = await core.listNamespacedConfigMap(
      { namespace: this.options.namespace, fieldSelector },
      withRequestTimeout(this.options.requestTimeoutMs ?? 10_000, this.stopping.signal),
    );
    if (this.stopped) throw new Error('stopped');
    const found = list.items.find((item) => item.metadata?.name === this.options.name);
    this.listedVersion = found?.metadata?.resourceVersion;
    this.options.handlers.listed(found);
    this.settleFirstList();
    return { ...list, items: found ? [found] : [] };
  }

  /** Every failure the informer reports ends its list/watch cycle: report it and try again later. */
  private failed(error: unknown): void {
    if (this.stopped) return;
    const retryInMs = this.backoff.next();
    this.options.handlers.failed(error, retryInMs);
    this.settleFirstList(error);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.restart();
    }, retryInMs);
  }

  private async openWatch(request: WatchRequest, open: Watch['watch']): Promise<AbortController> {
    if (this.pauseBeforeWatchMs !== undefined) {
      const pause = this.pauseBeforeWatchMs;
      this.pauseBeforeWatchMs = undefined;
      await this.sleep(pause);
    }
    if (this.stopped) return abortedRequest();
    const openedAt = Date.now();
    let delivered = false;
    let failed = false;
    const onEvent: WatchRequest['callback'] = (phase, object: unknown, raw: unknown) => {
      const status = phase === 'ERROR' ? (object as WatchErrorStatus | undefined) : undefined;
      if (status && status.code !== 410 && !this.stopped) {
        // The server ends the watch after an error; the informer would reopen it at once.
        failed = true;
        const retryInMs = this.backoff.next();
        this.pauseBeforeWatchMs = retryInMs;
        this.options.handlers.failed(new WatchError(status), retryInMs);
      } else delivered = true;
      request.callback(phase, object, raw);
    };
    const onDone = (error: unknown): void => {
      if (!error && !failed && !this.stopped) {
        if (!delivered && Date.now() - openedAt < shortestHealthyWatchMs)
          this.pauseBeforeWatchMs = this.backoff.next();
        else this.backoff.reset();
      }
      request.done(error);
    };
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    try {
      const controller = await open(
        request.path,
        { ...request.queryParams, allowWatchBookmarks: true, timeoutSeconds },
        onEvent,
        onDone,
      );
      if (this.stopped) controller.abort();
      return controller;
    } catch (error) {
      // Failures before the request (no cluster, credentials): the informer's error path.
      onDone(error);
      return abortedRequest();
    }
  }

  private settleFirstList(error?: unknown): void {
    const first = this.firstList;
    this.firstList = undefined;
    if (error === undefined) first?.resolve();
    else first?.reject(error);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const forget = (): void => void this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', finish, { once: true });
    });
  }
}

/** The Status a watch sends in an ERROR event. */
interface WatchErrorStatus {
  readonly code?: number;
  readonly message?: string;
}

/** An ERROR event of a watch, as an error carrying the Status's code. */
class WatchError extends Error {
  override readonly name = 'WatchError';
  readonly code: number | undefined;

  constructor(status: WatchErrorStatus) {
    super(`watch error: ${status.message ?? 'unknown'}`);
    this.code = status.code;
  }
}

/** The arguments of one Watch.watch call. */
interface WatchRequest {
  readonly path: string;
  readonly queryParams: Parameters<Watch['watch']>[1];
  readonly callback: Parameters<Watch['watch']>[2];
  readonly done: Parameters<Watch['watch']>[3];
}

/** client-node's Watch, each call handed to `intercept` together with the plain one. */
class InterceptedWatch extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    private readonly intercept: (request: WatchRequest, open: Watch['watch']) => Promise<AbortController>,
  ) {
    super(kubeConfig);
  }

  override watch(
    path: WatchRequest['path'],
    queryParams: WatchRequest['queryParams'],
    callback: WatchRequest['callback'],
    done: WatchRequest['done'],
  ): Promise<AbortController> {
    return this.intercept({ path, queryParams, callback, done }, (...args) => super.watch(...args));
  }
}

function abortedRequest(): AbortController {
  const controller = new AbortController();
  controller.abort();
  return controller;
}

/** A delay that doubles on each use up to a maximum, and starts over after a success. */
class Backoff {
  private delay: number;

  constructor(private readonly settings: RetryBackoff) {
    this.delay = settings.initialMs;
  }

  next(): number {
    const delay = this.delay;
    this.delay = Math.min(delay * 2, this.settings.maxMs);
    return delay;
  }

  reset(): void {
    this.delay = this.settings.initialMs;
  }
}
