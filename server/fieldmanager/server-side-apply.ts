import { parse as parseYaml } from 'yaml';
import { errors, type ResourceRef } from '../api/errors.js';
import {
  bodyShapeError,
  checkBodyShape,
  checkYamlText,
  isStackOverflow,
  jsonTextTooDeep,
  MAX_NESTING_DEPTH,
} from '../api/request-limits.js';
import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { fieldPathString } from './field-path.js';
import { FieldSet } from './field-set.js';
import {
  bodyText,
  getMember,
  isJsonObject,
  jsonEqual,
  jsonToKubeObject,
  toJsonValue,
  type JsonObject,
} from '../util/json-value.js';
import {
  BEFORE_FIRST_APPLY_MANAGER,
  decodeManagedFields,
  formatTime,
  managerIdentity,
  recordUpdate,
  resetFieldSet,
  UNOWNED_FIELDS,
  withManagedFields,
  withoutManagedFields,
  withoutResetFields,
  type ManagedState,
  type TrackedManager,
} from './managed-fields.js';
import { validatePatchOptions } from '../http/write-options/patch-options.js';
import { rootShape } from '../registry/schema-shape.js';
import { compareTyped } from './typed-compare.js';
import { fieldsOfValue } from './typed-fields.js';
import { mergeApplied } from './typed-merge.js';
import { pruneUnowned } from './typed-prune.js';

/**
 * Decodes an `application/apply-patch+yaml` body (YAML, or JSON which is YAML) into the
 * applied configuration. YAML 1.1 is used, as kube's sigs.k8s.io/yaml does (`yes`/`on` are
 * booleans), but timestamps and sexagesimal numbers stay strings. An empty body is an empty object (kube then
 * rejects its missing apiVersion/kind); anything but a mapping is 400 "error decoding YAML".
 */
export function parseApplyPatchBody(body: Buffer | string): JsonObject {
  const text = bodyText(body);
  const parsed = parseAsJson(text) ?? parseAsYaml(text);
  checkBodyShape(parsed);
  if (parsed === null || parsed === undefined) return {};
  if (!isJsonObject(parsed)) {
    throw errors.badRequest(
      `error decoding YAML: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`,
    );
  }
  return toJsonValue(parsed) as JsonObject;
}

/**
 * JSON is YAML, and clients (kubectl, client-go) mostly apply JSON: read it with the JSON parser,
 * which gives the same document many times faster. Undefined when the text is not JSON.
 */
function parseAsJson(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  if (jsonTextTooDeep(text)) throw bodyShapeError({ kind: 'depth', limit: MAX_NESTING_DEPTH });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseAsYaml(text: string): unknown {
  checkYamlText(text);
  let parsed: unknown;
  try {
    parsed = parseYaml(text, {
      version: '1.1',
      uniqueKeys: false,
      customTags: (tags) =>
        tags.filter(
          (tag) =>
            typeof tag === 'string' || (tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME'),
        ),
    });
  } catch (error) {
    // A recursive parser's stack overflow is described, never echoed.
    const detail = isStackOverflow(error)
      ? 'the document is nested too deeply'
      : error instanceof Error
        ? error.message
        : String(error);
    throw errors.badRequest(`error decoding YAML: ${detail}`);
  }
  return parsed;
}

export interface ServerSideApplyArgs {
  /** The stored object; undefined when the apply creates it. */
  readonly live: KubeObject | undefined;
  /** The applied configuration (see parseApplyPatchBody). */
  readonly applied: KubeObject | JsonObject;
  /** The `fieldManager` query parameter (required). */
  readonly manager: string;
  /** The `force` query parameter: take over conflicting fields instead of failing. */
  readonly force: boolean;
  /** The structural schema of the request's version. */
  readonly schema: JSONSchema;
  /** The request's group/version (`metrics.example.com/v1`); the configuration must match. */
  readonly apiVersion: string;
  /**
   * The request's kind; the configuration must match. Defaults to the live object's kind
   * (and, for a create, to whatever kind the configuration names).
   */
  readonly kind?: string;
  /** `status` when applying to the status subresource. */
  readonly subresource?: string;
  readonly now: Date;
  /** The resource, for the details of a conflict error (default: the group, no resource). */
  readonly resource?: ResourceRef;
  /** Field paths the strategy resets on this endpoint (see UpdateManagedFieldsArgs.resetFields). */
  readonly resetFields?: readonly (readonly string[])[];
}

/**
 * Server-side apply (kube's FieldManager.Apply over structured-merge-diff): merges the
 * applied configuration into the live object following the schema, and returns the result
 * with updated metadata.managedFields. Inputs are not modified.
 *
 * - The configuration's fields become the manager's `Apply` entry (apiVersion recorded,
 *   time set when the object changed).
 * - Setting a field another manager owns to a different value is a conflict: 409 with one
 *   `FieldManagerConflict` cause per field, unless `force`, which moves the field to this
 *   manager. Setting it to the same value shares ownership.
 * - Fields the manager applied before and omits now are removed, unless another manager
 *   owns them.
 * - An existing object without managedFields first has its fields recorded as owned by
 *   "before-first-apply".
 * - 400 BadRequest for a configuration of another apiVersion/kind ("invalid object type"),
 *   with metadata.managedFields, or that does not fit the schema (undeclared fields, lists
 *   where maps belong, map-list items without keys or repeated).
 */
export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  validatePatchOptions({ patchType: 'apply', fieldManager: args.manager, force: args.force });
  const applied = toJsonValue(args.applied);
  if (!isJsonObject(applied)) throw errors.badRequest('the applied configuration must be an object');
  dropNullSystemMetadata(applied);
  const expectedKind = args.kind ?? args.live?.kind ?? (typeof applied.kind === 'string' ? applied.kind : '');
  checkKind(applied, args.apiVersion, expectedKind);
  const appliedMeta = getMember(applied, 'metadata');
  if (
    isJsonObject(appliedMeta) &&
    getMember(appliedMeta, 'managedFields') !== undefined &&
    appliedMeta.managedFields !== null
  ) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }

  const shape = rootShape(args.schema);
  const fields = fieldsOfValue(applied, shape, true);
  if (fields.errors.length > 0) {
    const detail =
      fields.errors.length === 1
        ? fields.errors[0]
        : ['errors:', ...fields.errors.map((e) => `  ${e}`)].join('\n');
    throw errors.badRequest(`failed to create typed patch object (${describeObject(applied)}): ${detail}`);
  }

  const liveJson = args.live ? (toJsonValue(args.live) as JsonObject) : undefined;
  let state: ManagedState;
  try {
    state = decodeManagedFields(
      liveJson
        ? getMember(isJsonObject(liveJson.metadata) ? liveJson.metadata : {}, 'managedFields')
        : undefined,
    );
  } catch (error) {
    throw errors.internal(
      `failed to decode managed fields: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const live = liveJson ? withoutManagedFields(liveJson) : undefined;
  const reset = resetFieldSet(args.resetFields);

  if (state.size === 0 && live) {
    state = recordUpdate(state, {}, live, {
      manager: BEFORE_FIRST_APPLY_MANAGER,
      apiVersion: args.apiVersion,
      subresource: args.subresource,
      schema: args.schema,
      now: args.now,
      reset,
    });
  }

  const applier: Omit<TrackedManager, 'set' | 'time'> = {
    manager: args.manager,
    operation: 'Apply',
    apiVersion: args.apiVersion,
    ...(args.subresource ? { subresource: args.subresource } : {}),
  };
  const applierId = managerIdentity(applier);
  const previous = state.get(applierId);
  const appliedSet = fields.set.recursiveDifference(reset);

  const withApplier: ManagedState = new Map(state);
  withApplier.set(applierId, {
    ...applier,
    ...(previous?.time ? { time: previous.time } : {}),
    set: appliedSet,
  });
  let owned = FieldSet.empty();
  for (const entry of withApplier.values()) owned = owned.union(entry.set);

  const merged = mergeApplied(live, applied, shape);
  if (!isJsonObject(merged)) throw errors.internal('server-side apply produced a non-object');
  const pruned = previous ? pruneUnowned(merged, shape, previous.set, owned) : merged;
  if (!isJsonObject(pruned)) throw errors.internal('server-side apply produced a non-object');

  const comparison = withoutResetFields(compareTyped(live ?? {}, pruned, shape), reset);
  const removed = comparison.removed;
  // A field set to null is removed from the object rather than modified, but taking it from
  // another manager is still a conflict, as it is in kube.
  const removedByNull = removed.difference(removed.recursiveDifference(fields.nulls));
  const contested = comparison.modified.union(comparison.added).union(removedByNull);

  const next: ManagedState = new Map();
  const causes: StatusCause[] = [];
  for (const id of [...withApplier.keys()].sort()) {
    const entry = withApplier.get(id);
    if (!entry) continue;
    if (id === applierId) {
      next.set(id, entry);
      continue;
    }
    const conflicts = entry.set.intersection(contested);
    for (const path of conflicts.paths()) {
      causes.push({
        reason: 'FieldManagerConflict',
        message: `conflict with ${printManager(entry)}`,
        field: fieldPathString(path),
      });
    }
    const set = entry.set.difference(conflicts).difference(removed);
    if (!set.isEmpty()) next.set(id, { ...entry, set });
  }
  if (causes.length > 0 && !args.force) {
    throw errors.applyConflict(causes);
  }

  const changed = !jsonEqual(live ?? {}, pruned);
  const applierSet = appliedSet.difference(UNOWNED_FIELDS);
  if (applierSet.isEmpty()) {
    next.delete(applierId);
  } else {
    const time = changed ? formatTime(args.now) : previous?.time;
    next.set(applierId, { ...applier, ...(time ? { time } : {}), set: applierSet });
  }

  return jsonToKubeObject(withManagedFields(pruned, next));
}

/** Metadata the server sets; manifests often carry them as null (`creationTimestamp: null`). */
const SYSTEM_METADATA = [
  'creationTimestamp',
  'deletionTimestamp',
  'uid',
  'resourceVersion',
  'generation',
  'selfLink',
];

/**
 * Drops null server-set metadata from a configuration (our own copy), so that re-applying a
 * manifest with `creationTimestamp: null` is a no-op rather than a change the store undoes.
 */
function dropNullSystemMetadata(applied: JsonObject): void {
  const metadata = getMember(applied, 'metadata');
  if (!isJsonObject(metadata)) return;
  for (const key of SYSTEM_METADATA) if (metadata[key] === null) delete metadata[key];
}

/** How kube names a manager in conflict messages (printManager). */
function printManager(entry: TrackedManager): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

function checkKind(applied: JsonObject, apiVersion: string, kind: string): void {
  const appliedVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const appliedKind = typeof applied.kind === 'string' ? applied.kind : '';
  if (!appliedVersion || !appliedKind || appliedVersion !== apiVersion || appliedKind !== kind) {
    throw errors.badRequest(`invalid object type: ${gvkString(appliedVersion, appliedKind)}`);
  }
}

/** Go's GroupVersionKind.String(): `metrics.example.com/v1, Kind=MetricSnapshot`, `/v1, Kind=Pod`. */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  return `${group}/${version}, Kind=${kind}`;
}

function describeObject(object: JsonObject): string {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  return `${namespace}/${name}; ${gvkString(apiVersion, kind)}`;
}
