import type { Registry } from 'prom-client';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { AdmissionPlugin } from '../admission/admission-plugin.js';
import type { FlagSpec } from '../options/flag-parser.js';
import type { Logger } from '../util/logger.js';
import type { ResourceClient } from './resource-client.js';

/**
 * Background work of a server: a control loop over its own resources, as kube-controller-manager
 * runs controllers over kube-apiserver's. With several replicas, only the one holding the
 * leader Lease runs its controllers; standalone, the one server always does.
 *
 * ```ts
 * await runApiServer({ resources: [widgets], controllers: [new WidgetPainter()] });
 * ```
 */
export interface Controller {
  /** The name `--controllers` refers to and logs show, e.g. `metricsnapshot-collector`; also its field manager. */
  readonly name: string;
  /**
   * Command-line flags of its own, parsed with the server's (`--help` lists them); read them with
   * `context.flag(spec)`. Names must not clash with the server's or another controller's.
   * @default []
   */
  readonly flags?: readonly FlagSpec<unknown>[];
  /** Admission plugins that come with it, e.g. validation of what it can work on. @default [] */
  readonly admission?: readonly AdmissionPlugin[];
  /**
   * Called once at startup, on every replica, before anything runs: read flags, open clients,
   * register metrics. Throw a `FlagError` for a bad flag (the server exits with code 2).
   */
  setup?(context: ControllerContext): void | Promise<void>;
  /**
   * The work, while this replica leads: resolves once `signal` aborts (leadership lost or
   * shutdown), after which it may be called again when leadership returns. A run that throws or
   * returns early is logged and restarted after a backoff.
   */
  run(context: ControllerContext, signal: AbortSignal): Promise<void>;
  /** Called once at shutdown, after the last run has returned: close what `setup` opened. */
  close?(): Promise<void>;
}

/** What a controller is given: clients of the server's own resources, its flags, logs and metrics. */
export interface ControllerContext {
  /**
   * An in-process client of one served resource (by definition, or by `plural.group`), in
   * `version` (default: the storage version). Requests take the same path as HTTP ones
   * (decoding, admission, validation, storage, watches) as the server's own identity,
   * `system:apiserver`, with the controller's name as field manager.
   */
  client(resource: ResourceDefinition | string, version?: string): ResourceClient;
  /** The value of one of the controller's flags. */
  flag<T>(spec: FlagSpec<T>): T;
  /** The server's logger. */
  readonly log: Logger;
  /** The registry `/metrics` serves; register the controller's metrics here (in `setup`). */
  readonly metrics: Registry;
  /** Whether this replica holds the leadership now (always true standalone or without election). */
  isLeader(): boolean;
}
