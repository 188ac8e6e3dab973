import type { ResourceDefinition, ResourceVersion } from '../../api/resource-definition.js';
import type { RequestContext } from '../../api/resource-spec.js';
import type { ListOptions, Storage } from '../../api/storage.js';
import { storageKey } from '../../api/storage-key.js';
import type { KubeList, KubeObject, StatusCause } from '../../api/types.js';
import { AdmissionChain } from '../admission/admission-chain.js';
import type { AdmissionAttributes } from '../admission/admission-plugin.js';
import { errors, isApiError, type ResourceRef } from '../api/errors.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { FieldSelector } from './field-selector.js';
import { LabelSelector } from './label-selector.js';
import { generateName } from './name-generation.js';
import { copyObject, deepEqual, sameStoredState } from './object-copy.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta-validation.js';
import { ObjectWriter } from './object-writer.js';
import type { RequestScope } from './request-scope.js';
import { SchemaValidator } from './schema-validation.js';
import { STALE_OBJECT_MESSAGE, statusForStorageError } from './storage-errors.js';
import type {
  DeleteOptions,
  DeleteResult,
  ListQuery,
  StoreWatch,
  Subresource,
  WatchQuery,
  WriteResult,
} from './store-types.js';
import { watchEvents } from './store-watch.js';
import { canListEncoded, type EncodedObject } from '../storage/encoded-list.js';
import { decodeObject } from '../storage/object-encoding.js';
import { derivedValue } from '../util/derived-value.js';
import { EncodedRow, encodeTable, type IncludeObject, rowCells, rowObject } from './representations.js';

export type {
  DeleteOptions,
  DeleteResult,
  ListQuery,
  StoreWatch,
  StoreWatchEvent,
  Subresource,
  WatchQuery,
  WriteResult,
} from './store-types.js';

/**
 * How many times a write that lost an optimistic-concurrency race (or a generated name that
 * collided) is tried again before the client gets the 409, as kube's store retries.
 */
const raceRetries = 5;

/** How long a list at a resourceVersion newer than the storage's waits for it, as kube's cache waits. */
const tooLargeResourceVersionWaitMs = 3000;

/** Schema failures after which CEL rules cannot be evaluated meaningfully (kube's hasBlockingErr). */
const blockingReasons = new Set(['FieldValueTypeInvalid', 'FieldValueNotSupported']);
const rulesNotChecked: StatusCause = {
  reason: 'FieldValueInvalid',
  field: '<nil>',
  message:
    'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
};

export interface StoreOptions {
  /** Prefix of every storage key (`/registry` for etcd, as kube-apiserver uses). @default '' */
  readonly keyRoot?: string;
  /** The admission plugins every write passes. @default - none */
  readonly admission?: AdmissionChain;
  /**
   * Whether a garbage collector (kube-controller-manager's) removes the `foregroundDeletion` and
   * `orphan` finalizers that Foreground and Orphan deletes add. Without one (standalone mode)
   * those deletes complete at once, with a warning, instead of waiting forever.
   * @default true
   */
  readonly garbageCollector?: boolean;
  readonly clock?: () => Date;
}

/**
 * The generic store: every resource's CRUD, list and watch, driven by its ResourceDefinition
 * and backed by any Storage. The equivalent of k8s.io/apiserver's registry/generic Store: objects
 * arrive decoded (by the HTTP layer), pass mutating admission, the generic and the resource's
 * own preparation, schema, CEL and strategy validation, validating admission, and storage.
 */
export class Store {
  readonly ref: ResourceRef;
  private readonly validators = new Map<string, SchemaValidator>();
  private readonly writer: ObjectWriter;
  private readonly keyRoot: string;
  private readonly admission: AdmissionChain;
  private readonly garbageCollector: boolean;
  private readonly storageVersion: ResourceVersion;

  constructor(
    readonly definition: ResourceDefinition,
    private readonly storage: Storage,
    options: StoreOptions = {},
  ) {
    this.ref = { group: definition.group, resource: definition.plural };
    this.keyRoot = options.keyRoot ?? '';
    this.admission = options.admission ?? AdmissionChain.empty;
    this.garbageCollector = options.garbageCollector ?? true;
    for (const version of definition.versions)
      this.validators.set(version.name, new SchemaValidator(version.schema));
    const storageVersion = definition.versions.find((v) => v.name === definition.storageVersion);
    if (!storageVersion)
      throw new Error(`${definition.kind}: storage version ${definition.storageVersion} is missing`);
    this.storageVersion = storageVersion;
    this.writer = new ObjectWriter(definition, this.ref, options.clock ?? (() => new Date()));
  }

  /** The key prefix of a collection: the resource's, or one namespace of it. */
  collectionKey(namespace: string | undefined): string {
    const { group, plural, namespaced } = this.definition;
    return storageKey({ root: this.keyRoot, group, plural, namespace: namespaced ? namespace : undefined });
  }

  private objectKey(namespace: string | undefined, name: string): string {
    const { group, plural, namespaced } = this.definition;
    return storageKey({
      root: this.keyRoot,
      group,
      plural,
      namespace: namespaced ? namespace : undefined,
      name,
    });
  }

  /** Converts a stored object into the version the client speaks. */
  toRequestVersion(stored: KubeObject, version: ResourceVersion): KubeObject {
    const converted = version.fromStorage(copyObject(stored));
    return {
      ...converted,
      apiVersion: `${this.definition.group}/${version.name}`,
      kind: this.definition.kind,
    };
  }

  /**
   * `toRequestVersion` for what a storage read or write just returned: every backend hands out
   * objects the caller may change (the storage conformance suite holds them to it), so no copy
   * is needed.
   */
  private readToRequestVersion(read: KubeObject, version: ResourceVersion): KubeObject {
    const converted = version.fromStorage(read);
    return {
      ...converted,
      apiVersion: `${this.definition.group}/${version.name}`,
      kind: this.definition.kind,
    };
  }

  private toStorageVersion(object: KubeObject, version: ResourceVersion): KubeObject {
    const stored = this.storageVersion.fromStorage(version.toStorage(copyObject(object)));
    stored.apiVersion = `${this.definition.group}/${this.definition.storageVersion}`;
    stored.kind = this.definition.kind;
    return stored;
  }

  /**
   * The object, read consistently; with `resourceVersion: '0'` any recent state will do, which
   * the watch cache answers from memory (kube's GET semantics). Other versions read the present,
   * which is never older than them.
   */
  async get(
    scope: RequestScope,
    name: string,
    query: { readonly resourceVersion?: string } = {},
  ): Promise<KubeObject> {
    const stored = await this.read(scope.namespace, name, query.resourceVersion === '0');
    return this.readToRequestVersion(stored, scope.version);
  }

  private async read(namespace: string | undefined, name: string, anyVersion = false): Promise<KubeObject> {
    const key = this.objectKey(namespace, name);
    const stored = await this.call(
      () => (anyVersion ? this.storage.get(key, { anyVersion }) : this.storage.get(key)),
      name,
    );
    if (!stored) throw errors.notFound(this.ref, name);
    return stored;
  }

  async list(scope: RequestScope, query: ListQuery): Promise<KubeList> {
    const labels = LabelSelector.parse(query.labelSelector);
    const fields = FieldSelector.parse(query.fieldSelector, scope.version.selectableFields);
    const selective = labels !== LabelSelector.everything || fields !== FieldSelector.everything;
    const page = await this.readList(
      scope,
      query,
      (prefix, options) => this.storage.list(prefix, options),
      (o) => labels.matches(o.metadata.labels) && fields.matches(o),
      selective,
    );
    return { ...page, items: page.items.map((o) => this.readToRequestVersion(o, scope.version)) };
  }

  /**
   * The list `list` would answer, encoded as JSON from the bytes the watch cache holds, when
   * those are what it would encode: the storage version (which converts nothing) and objects
   * that begin with their apiVersion and kind (so decoding and encoding them again would give
   * the same text). Undefined otherwise, or when `readEncodedList` declines: `list`.
   */
  async listEncoded(scope: RequestScope, query: ListQuery): Promise<string | undefined> {
    if (!this.convertsNothing(scope.version)) return undefined;
    const page = await this.readEncodedList(scope, query);
    if (!page) return undefined;
    const head = this.encodedHead(scope.version);
    if (!page.items.every((item) => item.json.startsWith(head))) return undefined;
    return `${JSON.stringify({ ...page, items: [] }).slice(0, -2)}${page.items.map((item) => item.json).join(',')}]}`;
  }

  /**
   * An object the store prepared and is about to write, as the client's version sees it: the
   * object itself when the version converts nothing (to be read, not changed: kube too hands
   * validation and validating admission the object it writes), a converted copy otherwise.
   */
  private asRequestVersion(stored: KubeObject, version: ResourceVersion): KubeObject {
    return this.convertsNothing(version) ? stored : this.toRequestVersion(stored, version);
  }

  /** Whether objects read in `version` are the stored ones as they are: the storage version, unconverted. */
  private convertsNothing(version: ResourceVersion): boolean {
    return (
      version.name === this.definition.storageVersion &&
      this.definition.spec.versions.find((v) => v.name === version.name)?.conversion === undefined
    );
  }

  /**
   * How the JSON of an object in `version` begins when decoding and encoding it again, as a read
   * does, gives the same text: with its apiVersion and kind, in that order.
   */
  private encodedHead(version: ResourceVersion): string {
    const apiVersion = `${this.definition.group}/${version.name}`;
    return `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(this.definition.kind)},`;
  }

  /**
   * The Table `toTable` would make of `list`, as JSON, from rows worked out once per object
   * version and table shape (cells and the row's object, encoded) and reused by every list
   * until the object changes; only ages are computed per request. Undefined when
   * `readEncodedList` declines: `list` and `toTable`.
   */
  async listTable(
    scope: RequestScope,
    query: ListQuery,
    table: { readonly metaVersion: string; readonly includeObject: IncludeObject },
    now = Date.now(),
  ): Promise<Buffer | undefined> {
    const page = await this.readEncodedList(scope, query);
    if (!page) return undefined;
    const { metaVersion, includeObject } = table;
    const version = scope.version;
    const purpose = `Table ${version.name} ${metaVersion} ${includeObject}`;
    const rows = page.items.map((item) =>
      derivedValue(item, purpose, () => {
        const object = this.readToRequestVersion(decodeObject(item.json), version);
        const shown = rowObject(object, metaVersion, includeObject);
        return new EncodedRow(
          rowCells(object, version),
          shown === undefined ? undefined : JSON.stringify(shown),
        );
      }),
    );
    return encodeTable(rows, page.metadata, version, metaVersion, now);
  }

  /**
   * The page `list` would read, as the object versions the watch cache holds, when it has no
   * selector (which would decode every object) and the cache answers it; undefined otherwise.
   */
  private async readEncodedList(
    scope: RequestScope,
    query: ListQuery,
  ): Promise<KubeList<EncodedObject> | undefined> {
    const storage = this.storage;
    if (
      !canListEncoded(storage) ||
      LabelSelector.parse(query.labelSelector) !== LabelSelector.everything ||
      FieldSelector.parse(query.fieldSelector, scope.version.selectableFields) !== FieldSelector.everything
    )
      return undefined;
    let cached = true;
    const page = await this.readList(
      scope,
      query,
      async (prefix, options) => {
        const encoded = await storage.listEncoded(prefix, options);
        if (encoded) return encoded;
        cached = false;
        return { items: [], resourceVersion: '' };
      },
      () => true,
      false,
    );
    return cached ? page : undefined;
  }

  /**
   * Reads pages until the limit is filled with what `matches` keeps (selectors filter after
   * reading, as kube does), and describes them as the list kube answers.
   */
  private async readList<T>(
    scope: RequestScope,
    query: ListQuery,
    read: (
      prefix: string,
      options: ListOptions,
    ) => Promise<{
      readonly items: readonly T[];
      readonly resourceVersion: string;
      readonly continueKey?: string;
      readonly remainingItemCount?: number;
    }>,
    matches: (item: T) => boolean,
    selective: boolean,
  ): Promise<KubeList<T>> {
    const prefix = this.collectionKey(scope.namespace);
    const limit = query.limit && query.limit > 0 ? query.limit : 0;
    const position = query.continue ? decodeContinue(query.continue, prefix) : undefined;
    let readAt = position?.resourceVersion;
    if (!position && query.resourceVersion && query.resourceVersion !== '0') {
      if (query.resourceVersionMatch === 'Exact') readAt = query.resourceVersion;
      else await this.waitForResourceVersion(query.resourceVersion);
    }

    const items: T[] = [];
    let startAfter = position?.startAfter;
    let continueKey: string | undefined;
    let remaining: number | undefined;
    for (;;) {
      const want = limit ? limit - items.length : 0;
      const page = await this.call(
        () =>
          read(prefix, {
            limit: want,
            startAfter,
            resourceVersion: readAt,
            // resourceVersion=0 on a first page: whatever the watch cache holds will do.
            ...(!position && query.resourceVersion === '0' ? { anyVersion: true } : {}),
          }),
        '',
        query.continue !== undefined,
      );
      readAt = page.resourceVersion;
      items.push(...page.items.filter(matches));
      continueKey = page.continueKey;
      remaining = page.remainingItemCount;
      if (!continueKey || !limit || items.length >= limit) break;
      startAfter = continueKey;
    }
    return {
      apiVersion: `${this.definition.group}/${scope.version.name}`,
      kind: `${this.definition.kind}List`,
      metadata: {
        resourceVersion: readAt,
        ...(continueKey
          ? { continue: encodeContinue({ resourceVersion: readAt ?? '0', startAfter: continueKey }) }
          : {}),
        ...(continueKey && remaining !== undefined && !selective ? { remainingItemCount: remaining } : {}),
      },
      items,
    };
  }

  /**
   * A list at `resourceVersion` (NotOlderThan) must not answer older: wait a moment for the
   * storage to reach it, then answer 504 as kube-apiserver does for a version it has not seen.
   */
  private async waitForResourceVersion(resourceVersion: string): Promise<void> {
    const wanted = /^[0-9]+$/.test(resourceVersion) ? Number(resourceVersion) : NaN;
    if (!Number.isSafeInteger(wanted))
      throw errors.badRequest(`invalid resource version "${resourceVersion}"`);
    const deadline = Date.now() + tooLargeResourceVersionWaitMs;
    for (;;) {
      const current = Number(await this.call(() => this.storage.currentResourceVersion(), ''));
      if (current >= wanted) return;
      if (Date.now() >= deadline) throw errors.tooLargeResourceVersion(resourceVersion, String(current));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Opens a watch: the current state first when asked (as ADDED events), then every change,
   * filtered by the selectors (an object that stops matching is DELETED for this watcher, one
   * that starts is ADDED) and converted to the client's version. Storage failures, the upstream
   * watch's included, arrive as Status errors.
   */
  async watch(scope: RequestScope, query: WatchQuery, signal: AbortSignal): Promise<StoreWatch> {
    const labels = LabelSelector.parse(query.labelSelector);
    const fields = FieldSelector.parse(query.fieldSelector, scope.version.selectableFields);
    const matches = (o: KubeObject | undefined): boolean =>
      !!o &&
      labels.matches(o.metadata.labels) &&
      fields.matches(o) &&
      (!query.name || o.metadata.name === query.name);
    const rv = query.resourceVersion;
    const initial = query.sendInitialEvents ?? (rv === undefined || rv === '0' || rv === '');
    let from = rv;
    let initialObjects: KubeObject[] = [];
    if (initial) {
      const list = await this.list(scope, {
        labelSelector: query.labelSelector,
        fieldSelector: query.fieldSelector,
      });
      initialObjects = list.items.filter((o) => !query.name || o.metadata.name === query.name);
      from = list.metadata.resourceVersion;
    }
    const upstream = this.storage.watch(this.collectionKey(scope.namespace), from, signal);
    return {
      initial: initialObjects,
      startResourceVersion: from ?? '0',
      events: watchEvents(upstream, {
        matches,
        convert: (o) => this.toRequestVersion(o, scope.version),
        mapError: (error) => statusForStorageError(error, this.ref, '', { resourceVersion: rv }),
        ...(labels === LabelSelector.everything &&
        fields === FieldSelector.everything &&
        !query.name &&
        this.convertsNothing(scope.version)
          ? { storedAsIs: this.encodedHead(scope.version) }
          : {}),
      }),
    };
  }

  async create(scope: RequestScope, incoming: KubeObject): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const object = copyObject(incoming);
      const generated = !object.metadata.name && !!object.metadata.generateName;
      if (generated) object.metadata.name = generateName(object.metadata.generateName ?? '');
      try {
        return await this.createObject(scope, object, false);
      } catch (error) {
        // A generated name that is taken is the server's problem, not the client's: try another.
        const collided = generated && isApiError(error) && error.reason === 'AlreadyExists';
        if (!collided || attempt >= raceRetries) throw error;
      }
    }
  }

  private async createObject(
    scope: RequestScope,
    incoming: KubeObject,
    managedFieldsSet: boolean,
  ): Promise<WriteResult> {
    const name = incoming.metadata.name ?? '';
    const admitted =
      (await this.admission.admit(this.attributes(scope, 'CREATE', name, incoming))) ?? incoming;
    const prepared = this.writer.prepareCreate(scope, admitted, managedFieldsSet);
    const stored = this.prepareForStorage(scope, prepared, undefined, undefined);
    const result = this.asRequestVersion(stored, scope.version);
    await this.admission.validate(this.attributes(scope, 'CREATE', name, result));
    if (scope.dryRun) {
      const existing = await this.call(() => this.storage.get(this.objectKey(scope.namespace, name)), name);
      if (existing) throw errors.alreadyExists(this.ref, name);
      return { object: result, code: 201 };
    }
    const created = await this.call(
      () => this.storage.create(this.objectKey(scope.namespace, name), stored),
      name,
    );
    return { object: this.readToRequestVersion(created, scope.version), code: 201 };
  }

  async update(
    scope: RequestScope,
    name: string,
    incoming: KubeObject,
    subresource?: Subresource,
  ): Promise<WriteResult> {
    this.checkName(incoming, name);
    const old = await this.read(scope.namespace, name);
    const expected = incoming.metadata.resourceVersion;
    if (!expected) {
      throw errors.invalid(this.definition.kind, this.definition.group, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    if (expected !== old.metadata.resourceVersion) throw this.staleConflict(name);
    return this.updateObject(scope, name, old, incoming, subresource, false);
  }

  /**
   * Reads the object, applies `apply` to it (in the client's version) and writes the result,
   * reading and applying again when another write won the race, as kube's patcher does.
   */
  async patch(
    scope: RequestScope,
    name: string,
    apply: (live: KubeObject | undefined) => { object: KubeObject; managedFieldsSet: boolean },
    subresource?: Subresource,
    createIfMissing = false,
  ): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const old = await this.call(() => this.storage.get(this.objectKey(scope.namespace, name)), name);
      if (!old && !createIfMissing) throw errors.notFound(this.ref, name);
      const live = old ? this.toRequestVersion(old, scope.version) : undefined;
      const { object: incoming, managedFieldsSet } = apply(live);
      this.checkName(incoming, name);
      // The patch applies to what was read, whose resourceVersion it carries; a different one can only
      // come from the patch itself, and is the client's precondition.
      if (
        old &&
        incoming.metadata.resourceVersion &&
        incoming.metadata.resourceVersion !== old.metadata.resourceVersion
      )
        throw this.staleConflict(name);
      try {
        if (!old) return await this.createObject(scope, incoming, managedFieldsSet);
        return await this.updateObject(scope, name, old, incoming, subresource, managedFieldsSet);
      } catch (error) {
        // Lost a race: another write changed the object, or (apply) created it first.
        const raced =
          isApiError(error) && (error.reason === 'Conflict' || (error.reason === 'AlreadyExists' && !old));
        if (!raced || attempt >= raceRetries) throw error;
      }
    }
  }

  private checkName(incoming: KubeObject, name: string): void {
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    incoming.metadata.name = name;
  }

  private async updateObject(
    scope: RequestScope,
    name: string,
    old: KubeObject,
    incoming: KubeObject,
    subresource: Subresource | undefined,
    managedFieldsSet: boolean,
  ): Promise<WriteResult> {
    const live = this.toRequestVersion(old, scope.version);
    const admitted =
      (await this.admission.admit(this.attributes(scope, 'UPDATE', name, incoming, live, subresource))) ??
      incoming;
    const prepared = this.writer.prepareUpdate(scope, admitted, live, subresource, managedFieldsSet);
    const stored = this.prepareForStorage(scope, prepared, old, subresource);
    stored.metadata.generation =
      (old.metadata.generation ?? 1) + (this.sameGenerationContent(stored, old) ? 0 : 1);
    if (sameStoredState(stored, old)) return { object: live, code: 200 };
    const result = this.asRequestVersion(stored, scope.version);
    await this.admission.validate(this.attributes(scope, 'UPDATE', name, result, live, subresource));
    if (scope.dryRun) return { object: result, code: 200 };
    const key = this.objectKey(scope.namespace, name);
    const finishedDeleting =
      stored.metadata.deletionTimestamp && (stored.metadata.finalizers ?? []).length === 0;
    const written = await this.call(
      () =>
        finishedDeleting
          ? this.storage.delete(key, old.metadata.resourceVersion)
          : this.storage.update(key, stored, old.metadata.resourceVersion ?? ''),
      name,
    );
    return { object: this.readToRequestVersion(written, scope.version), code: 200 };
  }

  /**
   * Turns a prepared object (client's version) into the stored form: the strategy's defaults and
   * preparation on the storage version, then object meta, schema and CEL rules in the client's
   * version and the strategy's validation in the storage version, as kube's BeforeCreate and
   * BeforeUpdate do. Warnings go to the response.
   */
  private prepareForStorage(
    scope: RequestScope,
    prepared: KubeObject,
    old: KubeObject | undefined,
    subresource: Subresource | undefined,
  ): KubeObject {
    const strategy = this.definition.strategy;
    const context = this.context(scope, old ? 'UPDATE' : 'CREATE', subresource);
    const stored = this.toStorageVersion(prepared, scope.version);
    let checked = prepared;
    const prepare = old ? strategy.prepareForUpdate : strategy.prepareForCreate;
    if (strategy.default || prepare) {
      strategy.default?.(stored, context);
      if (old) strategy.prepareForUpdate?.(stored, old, context);
      else strategy.prepareForCreate?.(stored, context);
      checked = this.asRequestVersion(stored, scope.version);
    }
    const name = checked.metadata.name ?? checked.metadata.generateName ?? '';
    const causes: StatusCause[] = [...validateObjectMeta(checked.metadata, this.definition.namespaced)];
    if (old) causes.push(...validateObjectMetaUpdate(checked.metadata, old.metadata));
    causes.push(...(this.validators.get(scope.version.name)?.validate(checked) ?? []));
    if (!scope.version.rules.empty) {
      // As kube: rules do not run on an object whose types are wrong; the client is told so.
      if (causes.some((c) => blockingReasons.has(c.reason ?? ''))) causes.push(rulesNotChecked);
      else
        causes.push(
          ...scope.version.rules.validate(
            checked,
            old ? this.toRequestVersion(old, scope.version) : undefined,
          ),
        );
    }
    if (causes.length > 0) throw errors.invalid(this.definition.kind, this.definition.group, name, causes);
    const semantic = old
      ? strategy.validateUpdate?.(stored, old, context)
      : strategy.validateCreate?.(stored, context);
    if (semantic && semantic.length > 0)
      throw errors.invalid(this.definition.kind, this.definition.group, name, semantic);
    const warnings = old
      ? strategy.warningsOnUpdate?.(stored, old, context)
      : strategy.warningsOnCreate?.(stored, context);
    scope.warnings.push(...(warnings ?? []));
    return stored;
  }

  private context(
    scope: RequestScope,
    operation: RequestContext['operation'],
    subresource?: Subresource,
  ): RequestContext {
    return {
      user: scope.user,
      operation,
      dryRun: scope.dryRun,
      ...(scope.namespace !== undefined && this.definition.namespaced ? { namespace: scope.namespace } : {}),
      ...(subresource ? { subresource } : {}),
    };
  }

  private attributes(
    scope: RequestScope,
    operation: AdmissionAttributes['operation'],
    name: string,
    object: KubeObject | undefined,
    oldObject?: KubeObject,
    subresource?: Subresource,
  ): AdmissionAttributes {
    const { group, plural, kind, namespaced } = this.definition;
    const version = scope.version.name;
    const optionsKind =
      operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
    return {
      operation,
      definition: this.definition,
      resource: { group, version, resource: plural },
      ...(subresource ? { subresource } : {}),
      kind: { group, version, kind },
      name,
      ...(namespaced && scope.namespace !== undefined ? { namespace: scope.namespace } : {}),
      ...(object ? { object } : {}),
      ...(oldObject ? { oldObject } : {}),
      user: scope.user,
      dryRun: scope.dryRun,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: optionsKind,
        ...(scope.dryRun ? { dryRun: ['All'] } : {}),
        ...(operation !== 'DELETE' && scope.fieldManager ? { fieldManager: scope.fieldManager } : {}),
      },
      warnings: scope.warnings,
      addAuditAnnotation: scope.addAuditAnnotation,
    };
  }

  /**
   * Whether a write leaves what generation counts alone: everything but metadata, and but status
   * when status has its own subresource (kube's custom resource strategy counts the same way).
   */
  private sameGenerationContent(a: KubeObject, b: KubeObject): boolean {
    const content = (o: KubeObject): Record<string, unknown> => {
      const { metadata: _metadata, status, ...rest } = o;
      return this.definition.subresources.status ? rest : { ...rest, status };
    };
    return deepEqual(copyObject(content(a)), copyObject(content(b)));
  }

  async delete(scope: RequestScope, name: string, options: DeleteOptions): Promise<DeleteResult> {
    // Like kube's storage delete, a write that races this one is not the client's conflict: read
    // again and retry. Only the client's own preconditions answer 409.
    for (let attempt = 0; ; attempt++) {
      const old = await this.read(scope.namespace, name);
      this.checkDeletePreconditions(name, old, options);
      try {
        return await this.deleteExisting(scope, name, old, options);
      } catch (error) {
        const raced = isApiError(error) && error.reason === 'Conflict';
        if (!raced || attempt >= raceRetries) throw error;
      }
    }
  }

  private checkDeletePreconditions(name: string, old: KubeObject, options: DeleteOptions): void {
    const preconditions = options.preconditions;
    if (preconditions?.uid && preconditions.uid !== old.metadata.uid) {
      throw errors.conflict(
        this.ref,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(
        this.ref,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
  }

  private async deleteExisting(
    scope: RequestScope,
    name: string,
    old: KubeObject,
    options: DeleteOptions,
  ): Promise<DeleteResult> {
    const live = this.toRequestVersion(old, scope.version);
    const attributes = this.attributes(scope, 'DELETE', name, undefined, live);
    await this.admission.admit(attributes);
    await this.admission.validate(attributes);
    const key = this.objectKey(scope.namespace, name);
    const finalizers = this.finalizersForDeletion(scope, old, options);
    if (finalizers.length > 0) {
      // The object stays, marked for deletion, until its finalizers are removed.
      const marked = copyObject(old);
      marked.metadata.finalizers = finalizers;
      if (!marked.metadata.deletionTimestamp) {
        marked.metadata.deletionTimestamp = this.writer.timestamp();
        // Marking an object for deletion is a change controllers must observe, as kube counts it.
        if ((marked.metadata.generation ?? 0) > 0)
          marked.metadata.generation = (marked.metadata.generation ?? 0) + 1;
      }
      marked.metadata.deletionGracePeriodSeconds ??= 0;
      if (scope.dryRun || deepEqual(marked, old))
        return { object: this.toRequestVersion(marked, scope.version), deleted: false };
      const written = await this.call(
        () => this.storage.update(key, marked, old.metadata.resourceVersion ?? ''),
        name,
      );
      return { object: this.toRequestVersion(written, scope.version), deleted: false };
    }
    // Custom resources answer a finished delete with the deleted object (kube's CR store sets
    // ReturnDeletedObject), whose resourceVersion is the deletion's.
    if (scope.dryRun) return { object: live, deleted: true };
    const deleted = await this.call(() => this.storage.delete(key, old.metadata.resourceVersion), name);
    return { object: this.toRequestVersion(deleted, scope.version), deleted: true };
  }

  /** Foreground and orphan deletion hand the object to the garbage collector through finalizers, as kube does. */
  private finalizersForDeletion(scope: RequestScope, object: KubeObject, options: DeleteOptions): string[] {
    const finalizers = [...(object.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
    if (policy !== 'Foreground' && policy !== 'Orphan') return finalizers;
    if (!this.garbageCollector) {
      scope.warnings.push(
        `propagationPolicy ${policy} needs a garbage collector, and this server runs without a cluster: deleted without waiting for dependents`,
      );
      return finalizers;
    }
    const finalizer = policy === 'Foreground' ? 'foregroundDeletion' : 'orphan';
    if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
    return finalizers;
  }

  /** Deletes what the query selects; answers the list as it was read, as kube's generic store does. */
  async deleteCollection(scope: RequestScope, query: ListQuery, options: DeleteOptions): Promise<KubeList> {
    const listed = await this.list(scope, { ...query, limit: 0, continue: undefined });
    for (const item of listed.items) {
      const itemScope = { ...scope, namespace: item.metadata.namespace };
      try {
        await this.delete(itemScope, item.metadata.name ?? '', { ...options, preconditions: undefined });
      } catch (error) {
        if (!(isApiError(error) && error.code === 404)) throw error;
      }
    }
    return { ...listed, metadata: { resourceVersion: listed.metadata.resourceVersion } };
  }

  private staleConflict(name: string): Error {
    return errors.conflict(this.ref, name, STALE_OBJECT_MESSAGE);
  }

  /** Runs a storage call, answering its failures with the Status errors kube-apiserver returns. */
  private async call<T>(call: () => Promise<T>, name: string, continuing = false): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw statusForStorageError(error, this.ref, name, { continuing });
    }
  }
}
