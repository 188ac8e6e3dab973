import { flagTypes, FlagError, parseFlags, type FlagSpec } from '../options/flag-parser.js';
import { serverFlagSpecs, type ServerFlags } from '../options/server-flags.js';
import type { Controller } from './controller.js';

const { string, boolean, stringList, duration } = flagTypes;
const dur = duration;

/**
 * The flags of the controllers' runner, named as kube-controller-manager's. Every server takes
 * them, controllers or not, so that deployments can pass them to any server.
 */
export const controllerManagerFlagSpecs = {
  controllers: stringList(
    'controllers',
    ['*'],
    "A list of controllers to enable. '*' enables all controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'.",
  ),
  leaderElect: boolean(
    'leader-elect',
    true,
    'Run controllers only while holding a leader Lease in the cluster (--kubeconfig, else in-cluster), so that one of several replicas runs them. Standalone, or without a cluster, the server runs them alone.',
  ),
  leaderElectLeaseDuration: dur(
    'leader-elect-lease-duration',
    15_000,
    'The duration that non-leader candidates will wait after observing a leadership renewal until attempting to acquire leadership.',
  ),
  leaderElectRenewDeadline: dur(
    'leader-elect-renew-deadline',
    10_000,
    'The interval between attempts by the acting leader to renew a leadership slot before it stops leading. Must be less than the lease duration.',
  ),
  leaderElectRetryPeriod: dur(
    'leader-elect-retry-period',
    2_000,
    'The duration the clients should wait between attempting acquisition and renewal of a leadership.',
  ),
  leaderElectResourceName: string(
    'leader-elect-resource-name',
    'aggregated-apiserver',
    'The name of the Lease used for leader election.',
  ),
  leaderElectResourceNamespace: string(
    'leader-elect-resource-namespace',
    '',
    "The namespace of the Lease used for leader election. Empty: the pod's namespace in a cluster, else default.",
  ),
};

export type ControllerManagerFlags = {
  -readonly [K in keyof typeof controllerManagerFlagSpecs]: (typeof controllerManagerFlagSpecs)[K]['default'];
};

/** The server's flags, with those of the controllers' runner and of each controller (by flag name). */
export type ServeFlags = ServerFlags &
  Partial<ControllerManagerFlags> & { readonly [flagName: string]: unknown };

/** Every flag of a server with these controllers, checked for clashing names. */
export function serveFlagSpecs(controllers: readonly Controller[]): Record<string, FlagSpec<unknown>> {
  const specs: Record<string, FlagSpec<unknown>> = { ...serverFlagSpecs, ...controllerManagerFlagSpecs };
  const taken = new Map(Object.values(specs).map((spec) => [spec.name, 'the server']));
  for (const controller of controllers) {
    for (const spec of controller.flags ?? []) {
      const owner = taken.get(spec.name);
      if (owner)
        throw new Error(
          `the flag --${spec.name} of controller ${controller.name} is also a flag of ${owner}`,
        );
      taken.set(spec.name, `controller ${controller.name}`);
      specs[spec.name] = spec;
    }
  }
  return specs;
}

/** Parses a server's command line: the generic flags, the controllers' runner's and each controller's own. */
export function parseServeFlags(
  argv: readonly string[],
  controllers: readonly Controller[] = [],
): ServeFlags {
  return parseFlags(serveFlagSpecs(controllers), argv) as unknown as ServeFlags;
}

/** The runner's settings from parsed flags; flags parsed without them (parseServerFlags) get the defaults. */
export function controllerManagerFlags(flags: ServerFlags): ControllerManagerFlags {
  const given = flags as ServeFlags;
  const value = <K extends keyof ControllerManagerFlags>(key: K): ControllerManagerFlags[K] =>
    (given[key] ?? controllerManagerFlagSpecs[key].default) as ControllerManagerFlags[K];
  return {
    controllers: value('controllers'),
    leaderElect: value('leaderElect'),
    leaderElectLeaseDuration: value('leaderElectLeaseDuration'),
    leaderElectRenewDeadline: value('leaderElectRenewDeadline'),
    leaderElectRetryPeriod: value('leaderElectRetryPeriod'),
    leaderElectResourceName: value('leaderElectResourceName'),
    leaderElectResourceNamespace: value('leaderElectResourceNamespace'),
  };
}

/** A controller's flag value from parsed flags (by name), or its default. */
export function controllerFlagValue<T>(flags: ServerFlags, spec: FlagSpec<T>): T {
  const given = flags as ServeFlags;
  return Object.hasOwn(given, spec.name) ? (given[spec.name] as T) : spec.default;
}

/** The controllers `--controllers` enables, as kube-controller-manager reads it; unknown names are a FlagError. */
export function enabledControllers(
  controllers: readonly Controller[],
  selection: readonly string[],
): Controller[] {
  const names = new Set(controllers.map((c) => c.name));
  for (const item of selection) {
    const name = item.replace(/^-/, '');
    if (item !== '*' && !names.has(name)) {
      throw new FlagError(
        `--controllers: unknown controller "${name}"; known: ${[...names].join(', ') || 'none'}`,
      );
    }
  }
  return controllers.filter((c) => {
    if (selection.includes(`-${c.name}`)) return false;
    return selection.includes(c.name) || selection.includes('*');
  });
}
