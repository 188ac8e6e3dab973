import { Gauge, type Registry } from 'prom-client';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { ServerFlags } from '../options/server-flags.js';
import type { Store } from '../registry/store.js';
import { backoffDelay, sleep } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import type { Controller, ControllerContext } from './controller.js';
import { controllerFlagValue } from './controller-flags.js';
import type { LeaderElector } from './leader-elector.js';
import { InProcessResourceClient, type ResourceClient } from './resource-client.js';

export interface ControllerManagerOptions {
  /** The controllers to run (those `--controllers` enables). */
  readonly controllers: readonly Controller[];
  /** The server's stores, which the controllers' clients use. */
  readonly stores: readonly Store[];
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  readonly flags: ServerFlags;
  readonly log: Logger;
  /** Leader election; without it this replica leads alone (standalone, or no cluster). */
  readonly elector?: LeaderElector;
  /** The Lease's name, for the leadership metric. @default 'none' */
  readonly leaseName?: string;
}

/**
 * Runs a server's controllers, as kube-controller-manager does: while this replica leads (at
 * once without election), every controller runs; when leadership is lost they are stopped,
 * and started again when it returns. A controller that fails is restarted after a backoff.
 */
export class ControllerManager {
  private readonly contexts = new Map<Controller, ControllerContext>();
  private readonly shutdown = new AbortController();
  private running: Promise<void> | undefined;
  private leading = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ControllerManagerOptions) {
    const leader = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
      labelNames: ['name'] as const,
      registers: [options.registry],
    });
    const leaseName = options.leaseName ?? 'none';
    leader.set({ name: leaseName }, 0);
    this.onLeadership = (leading) => leader.set({ name: leaseName }, leading ? 1 : 0);
    for (const controller of options.controllers) this.contexts.set(controller, this.contextFor(controller));
  }

  private readonly onLeadership: (leading: boolean) => void;

  /** Calls every controller's `setup`; a FlagError from one stops the server's start. */
  async setup(): Promise<void> {
    for (const controller of this.options.controllers) await controller.setup?.(this.context(controller));
  }

  /** Starts campaigning (or leading at once without election). */
  start(): void {
    if (this.running || this.options.controllers.length === 0) return;
    const { elector } = this.options;
    const lead = (leadership: AbortSignal): Promise<void> => this.lead(leadership);
    this.running = elector ? elector.run(lead, this.shutdown.signal) : lead(this.shutdown.signal);
  }

  /** Whether the controllers run on this replica now. */
  isLeader(): boolean {
    if (!this.leading) return false;
    return this.options.elector ? this.options.elector.isLeader() : true;
  }

  /**
   * Stops every controller, waits for them, then releases the Lease (so another replica takes
   * over at once) and closes the controllers.
   */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.shutdown.abort();
      await this.running;
      for (const controller of this.options.controllers) {
        try {
          await controller.close?.();
        } catch (error) {
          this.options.log.error('closing a controller failed', {
            controller: controller.name,
            error: String(error),
          });
        }
      }
    })());
  }

  private async lead(leadership: AbortSignal): Promise<void> {
    this.leading = true;
    this.onLeadership(true);
    this.options.log.info(0, 'starting controllers', {
      controllers: this.options.controllers.map((c) => c.name),
    });
    try {
      await Promise.all(this.options.controllers.map((c) => this.keepRunning(c, leadership)));
    } finally {
      this.leading = false;
      this.onLeadership(false);
      this.options.log.info(0, 'controllers stopped');
    }
  }

  private async keepRunning(controller: Controller, signal: AbortSignal): Promise<void> {
    const { log } = this.options;
    let failures = 0;
    while (!signal.aborted) {
      try {
        await controller.run(this.context(controller), signal);
        if (signal.aborted) return;
        log.error('a controller returned while leading; restarting it', { controller: controller.name });
      } catch (error) {
        if (signal.aborted) return;
        log.error('a controller failed; restarting it', {
          controller: controller.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      failures++;
      await sleep(backoffDelay(failures, { baseMs: 1_000, maxMs: 60_000 }), signal);
    }
  }

  private context(controller: Controller): ControllerContext {
    return this.contexts.get(controller) ?? this.contextFor(controller);
  }

  private contextFor(controller: Controller): ControllerContext {
    const { stores, flags, log, registry } = this.options;
    const clients = new Map<string, ResourceClient>();
    return {
      log,
      metrics: registry,
      isLeader: () => this.isLeader(),
      flag: (spec) => controllerFlagValue(flags, spec),
      client: (resource, version) => {
        const store = findStore(stores, resource);
        const name = version ?? store.definition.storageVersion;
        const key = `${store.definition.plural}.${store.definition.group}/${name}`;
        let client = clients.get(key);
        if (!client) {
          client = new InProcessResourceClient(store, name, controller.name, log);
          clients.set(key, client);
        }
        return client;
      },
    };
  }
}

function findStore(stores: readonly Store[], resource: ResourceDefinition | string): Store {
  const wanted = typeof resource === 'string' ? resource : `${resource.plural}.${resource.group}`;
  const store = stores.find((s) => `${s.definition.plural}.${s.definition.group}` === wanted);
  if (!store) throw new Error(`the server does not serve ${wanted}`);
  return store;
}
