import { errors, isApiError, type ResourceRef } from '../api/errors.js';
import type { KubeList, KubeObject, StatusCause } from '../../api/types.js';
import type { ResourceDefinition, ResourceVersion } from '../resources/resource-definition.js';
import { isStorageError, type Storage, type StorageEvent } from '../../api/storage.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { FieldSelector } from './field-selector.js';
import { LabelSelector } from './label-selector.js';
import { generateName } from './name-generation.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta-validation.js';
import { copyObject, deepEqual, sameStoredState } from './object-copy.js';
import type { RequestScope } from './request-scope.js';
import type { CreateAdmission } from '../admission/namespace-lifecycle.js';
import { pruneUnknownFields, SchemaValidator } from './schema-validation.js';
import { ObjectWriter } from './object-writer.js';
import type { ListQuery, DeleteOptions, DeleteResult, WriteResult, Subresource } from './store-types.js';

export type { ListQuery, DeleteOptions, DeleteResult, WriteResult, Subresource } from './store-types.js';

/** How many optimistic-concurrency retries a patch makes before answering 409 like kube. */
const patchRetries = 5;

/**
 * The generic store: every resource's CRUD, list and watch, driven by its ResourceDefinition
 * and backed by any Storage. The equivalent of k8s.io/apiserver's registry/generic Store.
 */
export class Store {
  readonly ref: ResourceRef;
  private readonly validators = new Map<string, SchemaValidator>();
  private readonly writer: ObjectWriter;

  constructor(
    readonly definition: ResourceDefinition,
    private readonly storage: Storage,
    private readonly keyRoot: string,
    private readonly admission?: CreateAdmission,
    clock: () => Date = () => new Date(),
  ) {
    this.ref = { group: definition.group, resource: definition.plural };
    for (const version of definition.versions)
      this.validators.set(version.name, new SchemaValidator(version.schema));
    this.writer = new ObjectWriter(definition, this.ref, clock);
  }

  collectionKey(namespace: string | undefined): string {
    const base = `${this.keyRoot}/${this.definition.group}/${this.definition.plural}/`;
    return namespace && this.definition.namespaced ? `${base}${namespace}/` : base;
  }

  private objectKey(namespace: string | undefined, name: string): string {
    return `${this.collectionKey(namespace)}${name}`;
  }

  private storageVersion(): ResourceVersion {
    const version = this.definition.versions.find((v) => v.name === this.definition.storageVersion);
    if (!version)
      throw new Error(
        `${this.definition.kind}: storage version ${this.definition.storageVersion} is not served`,
      );
    return version;
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

  async get(scope: RequestScope, name: string): Promise<KubeObject> {
    const stored = await this.read(scope.namespace, name);
    return this.toRequestVersion(stored, scope.version);
  }

  private async read(namespace: string | undefined, name: string): Promise<KubeObject> {
    const stored = await this.storageCall(() => this.storage.get(this.objectKey(namespace, name)), name);
    if (!stored) throw errors.notFound(this.ref, name);
    return stored;
  }

  async list(scope: RequestScope, query: ListQuery): Promise<KubeList> {
    const labels = LabelSelector.parse(query.labelSelector);
    const fields = FieldSelector.parse(query.fieldSelector);
    const prefix = this.collectionKey(scope.namespace);
    const limit = query.limit && query.limit > 0 ? query.limit : 0;
    const position = query.continue ? decodeContinue(query.continue, prefix) : undefined;
    const matches = (o: KubeObject): boolean => labels.matches(o.metadata.labels) && fields.matches(o);

    const items: KubeObject[] = [];
    let startAfter = position?.startAfter;
    let readAt = position?.resourceVersion;
    let continueKey: string | undefined;
    let remaining: number | undefined;
    // Selectors filter after reading, so keep reading pages until the limit is filled, as kube does.
    for (;;) {
      const want = limit ? limit - items.length : 0;
      const page = await this.storageCall(
        () => this.storage.list(prefix, { limit: want, startAfter, resourceVersion: readAt }),
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
    const selective = labels !== LabelSelector.everything || fields !== FieldSelector.everything;
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
      items: items.map((o) => this.toRequestVersion(o, scope.version)),
    };
  }

  async create(scope: RequestScope, body: KubeObject): Promise<WriteResult> {
    const incoming = this.decode(scope, body);
    if (!incoming.metadata.name && incoming.metadata.generateName) {
      incoming.metadata.name = generateName(incoming.metadata.generateName);
    }
    const stored = this.admitCreate(scope, incoming);
    return this.persistCreate(scope, stored);
  }

  private admitCreate(scope: RequestScope, incoming: KubeObject, managedFieldsSet = false): KubeObject {
    const prepared = this.writer.prepareCreate(scope, incoming, managedFieldsSet);
    return this.toStorage(scope, prepared);
  }

  private async persistCreate(scope: RequestScope, stored: KubeObject): Promise<WriteResult> {
    const name = stored.metadata.name ?? '';
    if (this.definition.namespaced && scope.namespace) await this.admission?.admitCreate(scope.namespace);
    if (scope.dryRun) {
      const existing = await this.storageCall(
        () => this.storage.get(this.objectKey(scope.namespace, name)),
        name,
      );
      if (existing) throw errors.alreadyExists(this.ref, name);
      return { object: this.toRequestVersion(stored, scope.version), code: 201 };
    }
    const created = await this.storageCall(
      () => this.storage.create(this.objectKey(scope.namespace, name), stored),
      name,
    );
    return { object: this.toRequestVersion(created, scope.version), code: 201 };
  }

  async update(
    scope: RequestScope,
    name: string,
    body: KubeObject,
    subresource?: Subresource,
  ): Promise<WriteResult> {
    const incoming = this.decode(scope, body);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    incoming.metadata.name = name;
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
    return this.admitAndPersistUpdate(scope, name, old, incoming, subresource);
  }

  async patch(
    scope: RequestScope,
    name: string,
    apply: (live: KubeObject | undefined) => { object: KubeObject; managedFieldsSet: boolean },
    subresource?: Subresource,
    createIfMissing = false,
  ): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const old = await this.storageCall(() => this.storage.get(this.objectKey(scope.namespace, name)), name);
      if (!old && !createIfMissing) throw errors.notFound(this.ref, name);
      const live = old ? this.toRequestVersion(old, scope.version) : undefined;
      const { object: patched, managedFieldsSet } = apply(live);
      const incoming = this.decode(scope, patched);
      if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
        throw errors.badRequest(
          `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
        );
      }
      incoming.metadata.name = name;
      // The patch applies to what was read, whose resourceVersion it carries; a different one can only
      // come from the patch itself, and is the client's precondition.
      if (
        old &&
        incoming.metadata.resourceVersion &&
        incoming.metadata.resourceVersion !== old.metadata.resourceVersion
      ) {
        throw this.staleConflict(name);
      }
      try {
        if (!old) return await this.persistCreate(scope, this.admitCreate(scope, incoming, managedFieldsSet));
        return await this.admitAndPersistUpdate(scope, name, old, incoming, subresource, managedFieldsSet);
      } catch (error) {
        // Lost a race: another write changed the object, or (apply) created it first. Read again and
        // reapply, as kube does; a resourceVersion in the patch then fails the check above.
        const raced =
          isApiError(error) && (error.reason === 'Conflict' || (error.reason === 'AlreadyExists' && !old));
        if (!raced || attempt >= patchRetries) throw error;
      }
    }
  }

  private async admitAndPersistUpdate(
    scope: RequestScope,
    name: string,
    old: KubeObject,
    incoming: KubeObject,
    subresource: Subresource | undefined,
    managedFieldsSet = false,
  ): Promise<WriteResult> {
    const live = this.toRequestVersion(old, scope.version);
    const prepared = this.writer.prepareUpdate(scope, incoming, live, subresource, managedFieldsSet);
    const stored = this.toStorage(scope, prepared, old);
    stored.metadata.generation =
      (old.metadata.generation ?? 1) + (this.sameGenerationContent(stored, old) ? 0 : 1);
    if (sameStoredState(stored, old)) return { object: this.toRequestVersion(old, scope.version), code: 200 };
    const key = this.objectKey(scope.namespace, name);
    if (scope.dryRun) return { object: this.toRequestVersion(stored, scope.version), code: 200 };
    const finishedDeleting =
      stored.metadata.deletionTimestamp && (stored.metadata.finalizers ?? []).length === 0;
    const written = await this.storageCall(
      () =>
        finishedDeleting
          ? this.storage.delete(key, old.metadata.resourceVersion)
          : this.storage.update(key, stored, old.metadata.resourceVersion ?? ''),
      name,
    );
    return { object: this.toRequestVersion(written, scope.version), code: 200 };
  }

  /**
   * Whether a write leaves what generation counts alone: everything but metadata, and but status
   * when status has its own subresource (kube's custom resource strategy counts the same way).
   */
  private sameGenerationContent(a: KubeObject, b: KubeObject): boolean {
    const content = (o: KubeObject): Record<string, unknown> => {
      const { metadata: _metadata, status, ...rest } = o;
      return this.definition.statusSubresource ? rest : { ...rest, status };
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
        if (!raced || attempt >= patchRetries) throw error;
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
    const key = this.objectKey(scope.namespace, name);
    const finalizers = this.finalizersForDeletion(old, options);
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
      const written = await this.storageCall(
        () => this.storage.update(key, marked, old.metadata.resourceVersion ?? ''),
        name,
      );
      return { object: this.toRequestVersion(written, scope.version), deleted: false };
    }
    // Custom resources answer a finished delete with the deleted object (kube's CR store sets
    // ReturnDeletedObject), whose resourceVersion is the deletion's.
    if (scope.dryRun) return { object: this.toRequestVersion(old, scope.version), deleted: true };
    const deleted = await this.storageCall(
      () => this.storage.delete(key, old.metadata.resourceVersion),
      name,
    );
    return { object: this.toRequestVersion(deleted, scope.version), deleted: true };
  }

  /** Foreground and orphan deletion hand the object to the garbage collector through finalizers, as kube does. */
  private finalizersForDeletion(object: KubeObject, options: DeleteOptions): string[] {
    const finalizers = [...(object.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
    const add = (finalizer: string): void => {
      if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
    };
    if (policy === 'Foreground') add('foregroundDeletion');
    if (policy === 'Orphan') add('orphan');
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

  /** Storage events for a collection, after `fromResourceVersion`; the watch handler filters and converts them. */
  watchStorage(
    namespace: string | undefined,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    return this.storage.watch(this.collectionKey(namespace), fromResourceVersion, signal);
  }

  /** Strips and checks what a client sent: type meta, namespace, unknown fields, schema and defaults. */
  private decode(scope: RequestScope, body: KubeObject): KubeObject {
    const object = copyObject(body);
    const expectedApiVersion = `${this.definition.group}/${scope.version.name}`;
    if (object.apiVersion !== undefined && object.apiVersion !== expectedApiVersion) {
      throw errors.badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expectedApiVersion})`,
      );
    }
    if (object.kind !== undefined && object.kind !== this.definition.kind) {
      throw errors.badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${this.definition.kind})`,
      );
    }
    object.apiVersion = expectedApiVersion;
    object.kind = this.definition.kind;
    if (object.metadata === null || typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
      if (object.metadata !== undefined) throw errors.badRequest('metadata must be an object');
      object.metadata = {};
    }
    if (this.definition.namespaced) {
      if (object.metadata.namespace && scope.namespace && object.metadata.namespace !== scope.namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      if (!scope.namespace)
        throw errors.badRequest(`${this.definition.kind} is namespaced: a namespace is required`);
      object.metadata.namespace = scope.namespace;
    }
    const problems = [
      ...(scope.duplicateFields ?? []).map((f) => `duplicate field "${f}"`),
      ...pruneUnknownFields(object, scope.version.schema).map((f) => `unknown field "${f}"`),
    ];
    if (problems.length > 0) {
      if (scope.fieldValidation === 'Strict')
        throw errors.badRequest(`strict decoding error: ${problems.join(', ')}`);
      if (scope.fieldValidation === 'Warn') scope.warnings.push(...problems);
    }
    return object;
  }

  /** Schema validation in the client's version, then conversion and the resource's own rules in storage form. */
  private toStorage(scope: RequestScope, prepared: KubeObject, old?: KubeObject): KubeObject {
    const name = prepared.metadata.name ?? prepared.metadata.generateName ?? '';
    const causes: StatusCause[] = [...validateObjectMeta(prepared.metadata, this.definition.namespaced)];
    if (old) causes.push(...validateObjectMetaUpdate(prepared.metadata, old.metadata));
    causes.push(...(this.validators.get(scope.version.name)?.validate(prepared) ?? []));
    if (causes.length > 0) throw errors.invalid(this.definition.kind, this.definition.group, name, causes);
    const stored = this.storageVersion().toStorage(scope.version.toStorage(copyObject(prepared)));
    stored.apiVersion = `${this.definition.group}/${this.definition.storageVersion}`;
    const semantic = this.definition.strategy.validate(stored, old);
    if (semantic.length > 0)
      throw errors.invalid(this.definition.kind, this.definition.group, name, semantic);
    scope.warnings.push(...(this.definition.strategy.warnings?.(stored, old) ?? []));
    return stored;
  }

  private staleConflict(name: string): Error {
    return errors.conflict(
      this.ref,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  /** Runs a storage call, mapping backend failures to the Status errors kube-apiserver returns. */
  private async storageCall<T>(call: () => Promise<T>, name: string, continuing = false): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isApiError(error)) throw error;
      if (!isStorageError(error)) throw error;
      switch (error.code) {
        case 'NotFound':
          throw errors.notFound(this.ref, name);
        case 'KeyExists':
          throw errors.alreadyExists(this.ref, name);
        case 'Conflict':
          throw this.staleConflict(name);
        case 'Expired':
          throw errors.gone(
            continuing
              ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
              : `too old resource version: ${error.message}`,
          );
        case 'Timeout':
          throw errors.timeout(`storage did not answer in time: ${error.message}`);
        case 'Unavailable':
          throw errors.serviceUnavailable(`storage is unavailable: ${error.message}`);
      }
    }
  }
}
