import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.js';
import { fieldElement, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import {
  cloneJson,
  getMember,
  isJsonObject,
  jsonToKubeObject,
  kubeObjectToJson,
  setMember,
  toJsonValue,
  type JsonObject,
  type JsonValue,
} from '../util/json-value.js';
import { rootShape } from '../registry/schema-shape.js';
import { compareTyped, type Comparison } from './typed-compare.js';

/** One manager's entry while its fields are being worked on. */
export interface TrackedManager {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly time?: string;
  readonly set: FieldSet;
}

/** Managers by identity (see managerIdentity). */
export type ManagedState = Map<string, TrackedManager>;

/** kube keeps at most this many Update entries; older ones merge into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;

/** The manager of fields an object had before its first apply, when it had no managedFields. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

/**
 * Fields nobody owns: type and identity metadata the server sets
 * (k8s.io/apimachinery managedfields stripMetaManager). Removed member-wise, so
 * `metadata.labels` etc. stay owned.
 */
export const UNOWNED_FIELDS: FieldSet = FieldSet.fromPaths([
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((name): FieldPath => [fieldElement('metadata'), fieldElement(name)]),
]);

/**
 * The key that makes two entries the same manager, built like kube's
 * BuildManagerIdentifier: manager, operation, apiVersion (Update only) and subresource.
 */
export function managerIdentity(entry: {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource?: string;
}): string {
  const identity: Record<string, string> = { manager: entry.manager, operation: entry.operation };
  if (entry.operation === 'Update' && entry.apiVersion) identity.apiVersion = entry.apiVersion;
  if (entry.subresource) identity.subresource = entry.subresource;
  return JSON.stringify(identity);
}

/** RFC 3339 with whole seconds in UTC, as metav1.Time serializes: `2026-01-01T00:00:00Z`. */
export function formatTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/**
 * Reads managedFields entries. Throws on entries kube would not decode (operation not
 * Apply/Update, no apiVersion, fieldsType not FieldsV1, malformed FieldsV1).
 */
export function decodeManagedFields(entries: unknown): ManagedState {
  const state: ManagedState = new Map();
  if (entries === undefined || entries === null) return state;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (!isJsonObject(raw)) throw new Error(`managed fields entry ${i} must be an object`);
    const { manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource } = raw;
    if (operation !== 'Apply' && operation !== 'Update')
      throw new Error('operation must be `Apply` or `Update`');
    if (typeof apiVersion !== 'string' || apiVersion === '') throw new Error('apiVersion must not be empty');
    if (fieldsType === undefined || fieldsType === '')
      throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1')
      throw new Error(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const entry: TrackedManager = {
      manager: typeof manager === 'string' ? manager : '',
      operation,
      apiVersion,
      ...(typeof subresource === 'string' && subresource !== '' ? { subresource } : {}),
      ...(typeof time === 'string' && time !== '' ? { time } : {}),
      set: fieldsV1 === undefined || fieldsV1 === null ? FieldSet.empty() : FieldSet.fromFieldsV1(fieldsV1),
    };
    state.set(managerIdentity(entry), entry);
  });
  return state;
}

/** managedFields entries in kube's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(state: ManagedState): ManagedFieldsEntry[] {
  const entries = [...state.values()].map((entry): ManagedFieldsEntry => ({
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    ...(entry.time ? { time: entry.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: entry.set.toFieldsV1(),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  }));
  const seconds = (time: string | undefined): number => {
    const ms = time ? Date.parse(time) : NaN;
    return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
  };
  const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      byString(p.operation ?? '', q.operation ?? '') ||
      seconds(p.time) - seconds(q.time) ||
      byString(p.manager ?? '', q.manager ?? '') ||
      byString(p.apiVersion ?? '', q.apiVersion ?? '') ||
      byString(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** Field paths (from the root) whose changes the resource's strategy discards, as a set. */
export function resetFieldSet(resetFields: readonly (readonly string[])[] | undefined): FieldSet {
  return FieldSet.fromPaths((resetFields ?? []).map((path) => path.map(fieldElement)));
}

/** A comparison without the fields the strategy resets (they are never owned). */
export function withoutResetFields(comparison: Comparison, reset: FieldSet): Comparison {
  if (reset.isEmpty()) return comparison;
  return {
    added: comparison.added.recursiveDifference(reset),
    modified: comparison.modified.recursiveDifference(reset),
    removed: comparison.removed.recursiveDifference(reset),
  };
}

/** The object without metadata.managedFields (a copy). */
export function withoutManagedFields(object: JsonObject): JsonObject {
  const out = cloneJson(object);
  const metadata = getMember(out, 'metadata');
  if (isJsonObject(metadata)) delete metadata.managedFields;
  return out;
}

/** A copy of `object` with `entries` as its managedFields (none: the field is removed). */
export function withManagedFields(object: JsonObject, state: ManagedState): JsonObject {
  const out = withoutManagedFields(object);
  const existing = getMember(out, 'metadata');
  const metadata: JsonObject = isJsonObject(existing) ? existing : {};
  if (state.size > 0) setMember(metadata, 'managedFields', toJsonValue(encodeManagedFields(state)));
  setMember(out, 'metadata', metadata);
  return out;
}

/** Merges the oldest Update entries into per-version "ancient-changes" entries beyond the cap (kube's capManagersManager). */
export function capUpdateManagers(state: ManagedState, max = MAX_UPDATE_MANAGERS): ManagedState {
  const out: ManagedState = new Map(state);
  const updaters = [...out.entries()].filter(([, entry]) => entry.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return out;
  const seconds = (id: string): number => {
    const time = out.get(id)?.time;
    const ms = time ? Date.parse(time) : NaN;
    return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const entry = out.get(id);
    if (!entry) continue;
    const bucket: TrackedManager = {
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: entry.apiVersion,
      set: FieldSet.empty(),
    };
    const bucketId = managerIdentity(bucket);
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined || id === bucketId) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    if (!out.has(bucketId)) {
      const firstEntry = out.get(first);
      out.delete(first);
      out.set(bucketId, {
        ...bucket,
        set: firstEntry?.set ?? FieldSet.empty(),
        ...(firstEntry?.time ? { time: firstEntry.time } : {}),
      });
    }
    const current = out.get(bucketId) ?? bucket;
    out.set(bucketId, {
      ...current,
      set: entry.set.union(current.set),
      ...(entry.time ? { time: entry.time } : {}),
    });
    out.delete(id);
    length--;
  }
  return out;
}

export interface UpdateManagedFieldsArgs {
  /** The stored object before this write; undefined when the write creates it. */
  readonly live: KubeObject | undefined;
  /** The object the write will store (after any patch was applied). */
  readonly updated: KubeObject;
  /**
   * The request's `fieldManager`, or `managerFromUserAgent(userAgent)` when it names none
   * (an empty name is recorded as "unknown", as kube does).
   */
  readonly manager: string;
  /** Only `Update`: applies go through serverSideApply. */
  readonly operation?: 'Update';
  /** The structural schema of the request's version. */
  readonly schema: JSONSchema;
  /** The request's group/version, recorded in the entry (`metrics.example.com/v1`). */
  readonly apiVersion: string;
  /** `status` for writes to the status subresource. */
  readonly subresource?: string;
  readonly now: Date;
  /**
   * Top-level (or deeper) field paths the strategy resets on this endpoint, which therefore
   * nobody owns through it: e.g. `[['status']]` for the main resource of a kind with a status
   * subresource, `[['spec']]` for its status subresource.
   */
  readonly resetFields?: readonly (readonly string[])[];
}

/**
 * The managedFields bookkeeping of a create, update or non-apply patch (kube's
 * FieldManager.Update): the fields this request added or changed become owned by an
 * `Update` entry of the manager (merged with that manager's earlier entry for the same
 * apiVersion and subresource, its `time` set to now), and leave every other manager's set,
 * as do the fields the request removed. Returns a copy of `updated` with the new
 * metadata.managedFields; inputs are not modified.
 *
 * As in kube: managedFields sent in the request replace the stored ones (a list with one
 * empty entry, or an empty list, clears them), except on subresources; an existing object
 * that has no managedFields keeps having none until it is first applied to; more than ten
 * Update entries are folded into "ancient-changes".
 */
export function updateManagedFields(args: UpdateManagedFieldsArgs): KubeObject {
  const updatedJson = kubeObjectToJson(args.updated);
  const liveJson = args.live ? kubeObjectToJson(args.live) : undefined;
  const liveState = decodeOrEmpty(managedFieldsOf(liveJson));

  let state: ManagedState;
  const requested = managedFieldsOf(updatedJson);
  if (args.subresource) {
    state = liveState;
  } else if (isResetRequest(requested)) {
    state = new Map();
  } else {
    const decoded = tryDecode(requested);
    state = decoded && decoded.size > 0 ? decoded : liveState;
  }

  const before = liveJson ? withoutManagedFields(liveJson) : {};
  const after = withoutManagedFields(updatedJson);
  if (state.size === 0 && liveJson !== undefined) return jsonToKubeObject(withManagedFields(after, state));

  const next = recordUpdate(state, before, after, {
    manager: args.manager,
    apiVersion: args.apiVersion,
    subresource: args.subresource,
    schema: args.schema,
    now: args.now,
    reset: resetFieldSet(args.resetFields),
  });
  return jsonToKubeObject(withManagedFields(after, capUpdateManagers(next)));
}

interface RecordOptions {
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly schema: JSONSchema;
  readonly now: Date;
  readonly reset: FieldSet;
}

/**
 * The managers after an Update by `manager` that turned `before` into `after` (both without
 * managedFields). Shared with server-side apply, which records an object's unowned fields as
 * "before-first-apply" this way.
 */
export function recordUpdate(
  state: ManagedState,
  before: JsonObject,
  after: JsonObject,
  options: RecordOptions,
): ManagedState {
  const comparison = withoutResetFields(
    compareTyped(before, after, rootShape(options.schema)),
    options.reset,
  );
  const changed = comparison.modified.union(comparison.added);
  const next: ManagedState = new Map();
  for (const [id, entry] of state) {
    const set = entry.set.difference(changed).difference(comparison.removed);
    if (!set.isEmpty()) next.set(id, { ...entry, set });
  }
  const owned = changed.difference(UNOWNED_FIELDS);
  if (owned.isEmpty()) return next;
  const entry: TrackedManager = {
    manager: options.manager || 'unknown',
    operation: 'Update',
    apiVersion: options.apiVersion,
    ...(options.subresource ? { subresource: options.subresource } : {}),
    time: formatTime(options.now),
    set: owned,
  };
  const id = managerIdentity(entry);
  const previous = next.get(id);
  next.set(id, { ...entry, set: previous ? previous.set.union(owned) : owned });
  return next;
}

function managedFieldsOf(object: JsonObject | undefined): JsonValue | undefined {
  const metadata = object ? getMember(object, 'metadata') : undefined;
  return isJsonObject(metadata) ? getMember(metadata, 'managedFields') : undefined;
}

/** `[]` or `[{}]`: the request asks to clear managedFields. */
function isResetRequest(value: JsonValue | undefined): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  return value.length === 1 && isJsonObject(value[0]) && Object.keys(value[0]).length === 0;
}

function tryDecode(value: JsonValue | undefined): ManagedState | undefined {
  try {
    return decodeManagedFields(value);
  } catch {
    return undefined;
  }
}

function decodeOrEmpty(value: JsonValue | undefined): ManagedState {
  return tryDecode(value) ?? new Map();
}
