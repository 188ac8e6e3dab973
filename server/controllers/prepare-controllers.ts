import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { loadKubeConfig, NotInClusterError } from '../auth/delegated/kube-client.js';
import { FlagError } from '../options/flag-parser.js';
import type { ServerFlags } from '../options/server-flags.js';
import type { Store } from '../registry/store.js';
import type { Logger } from '../util/logger.js';
import type { Controller } from './controller.js';
import {
  controllerManagerFlags,
  enabledControllers,
  type ControllerManagerFlags,
} from './controller-flags.js';
import { ControllerManager } from './controller-manager.js';
import { checkTiming, LeaderElector } from './leader-elector.js';
import { LeaseLock } from './lease-lock.js';

/** Where a pod finds its own namespace. */
const podNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface PrepareControllersOptions {
  readonly flags: ServerFlags;
  readonly log: Logger;
  readonly controllers: readonly Controller[];
  readonly stores: readonly Store[];
  readonly registry: Registry;
}

/**
 * The controllers' runner as the flags configure it: the enabled controllers, set up, and leader
 * election over a Lease when the server runs against a cluster (none standalone, or without one).
 * Undefined when the server has no controllers.
 */
export async function prepareControllers(
  options: PrepareControllersOptions,
): Promise<ControllerManager | undefined> {
  const { flags, log } = options;
  if (options.controllers.length === 0) return undefined;
  const settings = controllerManagerFlags(flags);
  const controllers = enabledControllers(options.controllers, settings.controllers);
  const elector = leaderElector(flags, settings, log);
  const manager = new ControllerManager({
    controllers,
    stores: options.stores,
    registry: options.registry,
    flags,
    log,
    elector,
    leaseName: elector ? settings.leaderElectResourceName : undefined,
  });
  await manager.setup();
  return manager;
}

function leaderElector(
  flags: ServerFlags,
  settings: ControllerManagerFlags,
  log: Logger,
): LeaderElector | undefined {
  if (!settings.leaderElect) return undefined;
  if (flags.standalone) {
    log.info(0, 'standalone mode: controllers run without leader election');
    return undefined;
  }
  const timing = {
    leaseDurationMs: settings.leaderElectLeaseDuration,
    renewDeadlineMs: settings.leaderElectRenewDeadline,
    retryPeriodMs: settings.leaderElectRetryPeriod,
  };
  const problem = checkTiming(timing);
  if (problem) throw new FlagError(`--leader-elect-*: ${problem}`);
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig, { flagName: '--kubeconfig' });
  } catch (error) {
    if (flags.kubeconfig || !(error instanceof NotInClusterError)) throw error;
    log.info(0, 'no --kubeconfig and not in a cluster: controllers run without leader election');
    return undefined;
  }
  const namespace = settings.leaderElectResourceNamespace || podNamespace() || 'default';
  return new LeaderElector({
    lock: new LeaseLock(kubeConfig, namespace, settings.leaderElectResourceName),
    identity: `${hostname()}_${randomUUID()}`,
    log,
    ...timing,
  });
}

function podNamespace(): string | undefined {
  if (!existsSync(podNamespaceFile)) return undefined;
  return readFileSync(podNamespaceFile, 'utf8').trim() || undefined;
}
