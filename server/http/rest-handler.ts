import { errors } from '../api/errors.js';
import type { KubeList, KubeObject } from '../../api/types.js';
import type { ResourceDefinition, ResourceVersion } from '../../api/resource-definition.js';
import type { UserInfo } from '../../api/resource-spec.js';
import type { FieldValidation, RequestScope } from '../registry/request-scope.js';
import type { DeleteOptions, ListQuery, Store, Subresource, WatchQuery } from '../registry/store.js';
import { applyScale, scaleSchema, toScale } from '../registry/scale.js';
import { decodeObject } from './object-decoder.js';
import {
  toPartialObjectMetadata,
  toPartialObjectMetadataList,
  toTable,
  type IncludeObject,
} from '../registry/representations.js';
import { applyRequestPatch } from './patch-request.js';
import { applyPatch } from '../patch/index.js';
import {
  managerFromUserAgent,
  patchTypeForContentType,
  validatePatchOptions,
  validateWriteOptions,
  type PatchType,
} from './write-options/index.js';
import { resetFieldsFor } from '../registry/object-writer.js';
import type { Exchange } from './exchange.js';
import { negotiateResponse, type ResponseFormat } from './media-type.js';
import { duplicateJsonFields, mediaTypeOf, parseDocument, readBody, readObjectBody } from './request-body.js';
import { writeEncoded, writeObject } from './response.js';
import type { WatchHandler } from './watch-handler.js';
import { isMutating } from './request-info.js';
import { validateListOptions } from './list-options.js';

/** Who a request is when no authenticator said (never reached with authentication on). */
const anonymous: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

function queryParam(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}

function integerParam(url: URL, name: string): number | undefined {
  const text = queryParam(url, name);
  if (text === undefined || text === '') return undefined;
  if (!/^-?[0-9]+$/.test(text))
    throw errors.badRequest(`${name}: invalid value "${text}": must be an integer`);
  return Number(text);
}

function fieldValidation(url: URL): FieldValidation {
  const value = queryParam(url, 'fieldValidation') ?? 'Warn';
  if (value !== 'Strict' && value !== 'Warn' && value !== 'Ignore') {
    throw errors.badRequest(
      `fieldValidation: invalid value "${value}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  return value;
}

function checkDryRun(values: readonly unknown[]): boolean {
  for (const value of values)
    if (value !== 'All')
      throw errors.badRequest(`dryRun: unsupported value "${String(value)}": supported values: "All"`);
  return values.length > 0;
}

function dryRun(url: URL): boolean {
  return checkDryRun(url.searchParams.getAll('dryRun'));
}

/**
 * The request's field manager, validated as kube validates Create/Update/PatchOptions; without
 * one, non-apply writes are recorded under the User-Agent's program name, as kube does.
 */
function fieldManager(exchange: Exchange, patchType?: PatchType): string {
  const given = queryParam(exchange.url, 'fieldManager');
  if (patchType) {
    const force = queryParam(exchange.url, 'force');
    validatePatchOptions({
      patchType,
      fieldManager: given,
      force: force === undefined ? undefined : force === 'true',
    });
  } else {
    validateWriteOptions(exchange.info.verb === 'create' ? 'CreateOptions' : 'UpdateOptions', given);
  }
  return given || managerFromUserAgent(exchange.req.headers['user-agent']);
}

/**
 * The generic REST handler: it maps a resource request's verb onto the resource's Store and
 * writes the answer in the representation the client asked for. It never names a kind.
 */
export class RestHandler {
  private readonly stores = new Map<string, Store>();

  constructor(
    stores: readonly Store[],
    private readonly watches: WatchHandler,
  ) {
    for (const store of stores)
      this.stores.set(`${store.definition.group}/${store.definition.plural}`, store);
  }

  /** Returns false when no served resource matches the path. */
  async handle(exchange: Exchange): Promise<boolean> {
    const { info } = exchange;
    const store = this.stores.get(`${info.apiGroup}/${info.resource}`);
    const version = store?.definition.versions.find((v) => v.name === info.apiVersion);
    if (!store || !version) return false;
    const definition = store.definition;
    if (definition.namespaced === false && info.namespace) throw errors.pathNotFound(info.path);
    const subresource = info.subresource ? this.subresource(info.subresource, definition) : undefined;
    if (info.subresource && !subresource) throw errors.pathNotFound(info.path);
    if (subresource && !['get', 'update', 'patch'].includes(info.verb)) {
      throw errors.methodNotAllowed(exchange.req.method ?? '', info.path);
    }
    if (info.namespace === undefined && info.name && definition.namespaced)
      throw errors.pathNotFound(info.path);
    // Across namespaces a namespaced resource is only listed and watched, as kube serves it.
    if (
      info.namespace === undefined &&
      definition.namespaced &&
      ['create', 'deletecollection'].includes(info.verb)
    )
      throw errors.methodNotAllowed(exchange.req.method ?? '', info.path);
    if (version.deprecationWarning) exchange.warnings.push(version.deprecationWarning);
    const mutating = isMutating(info);
    const scope: RequestScope = {
      namespace: info.namespace,
      version,
      user: exchange.user ?? anonymous,
      dryRun: mutating ? dryRun(exchange.url) : false,
      fieldManager: ['create', 'update'].includes(info.verb) ? fieldManager(exchange) : '',
      fieldValidation: mutating ? fieldValidation(exchange.url) : 'Ignore',
      warnings: exchange.warnings,
      addAuditAnnotation: exchange.audit?.annotate,
    };
    if (subresource === 'scale') return this.scale(exchange, store, scope);
    switch (info.verb) {
      case 'get':
        return this.respondObject(
          exchange,
          version,
          200,
          await store.get(scope, info.name, { resourceVersion: queryParam(exchange.url, 'resourceVersion') }),
        );
      case 'list':
        validateListOptions(exchange.url, false);
        return this.list(exchange, store, scope);
      case 'watch':
        validateListOptions(exchange.url, true);
        await this.watches.serve(exchange, store, scope, this.watchQuery(exchange));
        return true;
      case 'create': {
        if (info.name) throw errors.methodNotAllowed('POST', info.path);
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const { object, duplicateFields } = await readObjectBody(exchange);
        const decoded = decodeObject(definition, scope, object, duplicateFields);
        const result = await store.create(scope, decoded);
        return this.respondObject(exchange, version, result.code, result.object, format);
      }
      case 'update': {
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const { object, duplicateFields } = await readObjectBody(exchange);
        const decoded = decodeObject(definition, scope, object, duplicateFields);
        const result = await store.update(scope, info.name, decoded, subresource);
        return this.respondObject(exchange, version, result.code, result.object, format);
      }
      case 'patch':
        return this.patch(exchange, store, scope, version, subresource);
      case 'delete': {
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const { options, dryRun: dry } = await this.deleteOptions(exchange);
        const result = await store.delete({ ...scope, dryRun: dry }, info.name, options);
        // kube answers 202 only for a deletion still pending that asked for orphanDependents=false.
        const code = !result.deleted && options.orphanDependents === false ? 202 : 200;
        return this.respondObject(exchange, version, code, result.object, format);
      }
      case 'deletecollection': {
        const format = negotiateResponse(exchange.req.headers.accept, true);
        const { options, dryRun: dry } = await this.deleteOptions(exchange);
        const list = await store.deleteCollection(
          { ...scope, dryRun: dry },
          this.listQuery(exchange.url),
          options,
        );
        return this.respondList(exchange, version, list, format);
      }
      default:
        throw errors.methodNotAllowed(exchange.req.method ?? '', info.path);
    }
  }

  private subresource(name: string, definition: ResourceDefinition): Subresource | undefined {
    if (name === 'status' && definition.subresources.status) return 'status';
    if (name === 'scale' && definition.subresources.scale) return 'scale';
    return undefined;
  }

  /** `/scale`: the object seen and written as an autoscaling/v1 Scale. */
  private async scale(exchange: Exchange, store: Store, scope: RequestScope): Promise<boolean> {
    const scale = store.definition.subresources.scale;
    if (!scale) throw errors.pathNotFound(exchange.info.path);
    const name = exchange.info.name;
    if (exchange.info.verb === 'get') {
      writeObject(exchange, 200, toScale(await store.get(scope, name), scale));
      return true;
    }
    let apply: (live: KubeObject) => KubeObject;
    if (exchange.info.verb === 'update') {
      const { object } = await readObjectBody(exchange);
      apply = (live) => applyScale(live, object, scale);
    } else {
      const patchType = patchTypeForContentType(exchange.req.headers['content-type']);
      if (patchType === 'apply')
        throw errors.unsupportedMediaType('application/apply-patch+yaml', [
          'application/json-patch+json',
          'application/merge-patch+json',
        ]);
      const body = await readBody(exchange);
      apply = (live) =>
        applyScale(live, applyPatch(patchType, toScale(live, scale), body, scaleSchema), scale);
    }
    const result = await store.patch(
      { ...scope, fieldManager: fieldManager(exchange) },
      name,
      (live) => ({ object: apply(live as KubeObject), managedFieldsSet: false }),
      'scale',
    );
    writeObject(exchange, result.code, toScale(result.object, scale));
    return true;
  }

  private listQuery(url: URL): ListQuery {
    const match = queryParam(url, 'resourceVersionMatch');
    return {
      labelSelector: queryParam(url, 'labelSelector'),
      fieldSelector: queryParam(url, 'fieldSelector'),
      limit: integerParam(url, 'limit'),
      continue: queryParam(url, 'continue') || undefined,
      resourceVersion: queryParam(url, 'resourceVersion') || undefined,
      resourceVersionMatch: match === 'Exact' || match === 'NotOlderThan' ? match : undefined,
    };
  }

  private watchQuery(exchange: Exchange): WatchQuery {
    const url = exchange.url;
    const initial = url.searchParams.get('sendInitialEvents');
    return {
      labelSelector: queryParam(url, 'labelSelector'),
      fieldSelector: queryParam(url, 'fieldSelector'),
      ...(exchange.info.name ? { name: exchange.info.name } : {}),
      resourceVersion: queryParam(url, 'resourceVersion'),
      ...(initial === null ? {} : { sendInitialEvents: initial === 'true' || initial === '1' }),
    };
  }

  private async list(exchange: Exchange, store: Store, scope: RequestScope): Promise<boolean> {
    const format = negotiateResponse(exchange.req.headers.accept, true);
    const query = this.listQuery(exchange.url);
    if (format.encoding === 'json') {
      const encoded =
        format.as === 'object'
          ? await store.listEncoded(scope, query)
          : format.as === 'Table'
            ? await store.listTable(scope, query, {
                metaVersion: format.metaVersion,
                includeObject: this.includeObject(exchange),
              })
            : undefined;
      if (encoded !== undefined) {
        writeEncoded(exchange, 200, encoded);
        return true;
      }
    }
    const list = await store.list(scope, query);
    return this.respondList(exchange, scope.version, list, format);
  }

  private async patch(
    exchange: Exchange,
    store: Store,
    scope: RequestScope,
    version: ResourceVersion,
    subresource: Subresource | undefined,
  ): Promise<boolean> {
    const format = negotiateResponse(exchange.req.headers.accept, false);
    const patchType = patchTypeForContentType(exchange.req.headers['content-type']);
    const body = await readBody(exchange);
    if (body.length === 0) throw errors.badRequest('the request body is empty');
    let duplicateFields: string[] = [];
    if (patchType === 'merge' || patchType === 'strategic') {
      try {
        JSON.parse(body.toString('utf8'));
        duplicateFields = duplicateJsonFields(body.toString('utf8'));
      } catch {
        // Malformed: the patch itself answers 400.
      }
    }
    const patchScope: RequestScope = { ...scope, fieldManager: fieldManager(exchange, patchType) };
    const result = await store.patch(
      patchScope,
      exchange.info.name,
      (live) => {
        const patched = applyRequestPatch({
          patchType,
          body,
          live,
          scope: patchScope,
          force: queryParam(exchange.url, 'force') === 'true',
          ref: store.ref,
          kind: store.definition.kind,
          resetFields: resetFieldsFor(store.definition, subresource),
          name: exchange.info.name,
          subresource: subresource === 'status' ? 'status' : undefined,
        });
        return {
          ...patched,
          object: decodeObject(store.definition, patchScope, patched.object, duplicateFields),
        };
      },
      subresource,
      patchType === 'apply',
    );
    return this.respondObject(exchange, version, result.code, result.object, format);
  }

  /**
   * meta/v1 DeleteOptions, from the body when there is one (client-go and kubectl send them there,
   * dryRun included), else from the query, as kube-apiserver reads them: never a mix of both.
   */
  private async deleteOptions(exchange: Exchange): Promise<{ options: DeleteOptions; dryRun: boolean }> {
    const url = exchange.url;
    const body = await readBody(exchange);
    let given: Record<string, unknown>;
    if (body.length > 0) {
      const mediaType = mediaTypeOf(exchange) || 'application/json';
      given = parseDocument(body, mediaType);
      if (given.kind !== undefined && given.kind !== 'DeleteOptions')
        throw errors.badRequest(`the body must be DeleteOptions, not ${String(given.kind)}`);
    } else {
      const orphan = queryParam(url, 'orphanDependents');
      given = {
        dryRun: url.searchParams.getAll('dryRun'),
        gracePeriodSeconds: integerParam(url, 'gracePeriodSeconds'),
        propagationPolicy: queryParam(url, 'propagationPolicy'),
        orphanDependents: orphan === undefined ? undefined : orphan === 'true',
      };
    }
    const dryRunValues = given.dryRun ?? [];
    if (!Array.isArray(dryRunValues)) throw errors.badRequest('dryRun: must be a list of strings');
    const policy = given.propagationPolicy;
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy as string)) {
      throw errors.badRequest(
        `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const grace = given.gracePeriodSeconds;
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace)))
      throw errors.badRequest('gracePeriodSeconds: must be an integer');
    if (grace !== undefined && grace < 0)
      throw errors.badRequest('gracePeriodSeconds: must be greater than or equal to 0');
    const orphanDependents = given.orphanDependents;
    if (orphanDependents !== undefined && typeof orphanDependents !== 'boolean')
      throw errors.badRequest('orphanDependents: must be a boolean');
    if (orphanDependents !== undefined && policy !== undefined) {
      throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', [
        {
          reason: 'FieldValueInvalid',
          field: 'propagationPolicy',
          message:
            'Invalid value: "' +
            String(policy) +
            '": orphanDependents and deletionPropagation cannot be both set',
        },
      ]);
    }
    const preconditions = given.preconditions;
    if (preconditions !== undefined && preconditions !== null && typeof preconditions !== 'object')
      throw errors.badRequest('preconditions: must be an object');
    return {
      dryRun: checkDryRun(dryRunValues),
      options: {
        preconditions: (preconditions ?? undefined) as DeleteOptions['preconditions'],
        propagationPolicy: policy as DeleteOptions['propagationPolicy'],
        orphanDependents,
        gracePeriodSeconds: grace,
      },
    };
  }

  private respondObject(
    exchange: Exchange,
    version: ResourceVersion,
    code: number,
    object: KubeObject,
    format?: ResponseFormat,
  ): boolean {
    const chosen = format ?? negotiateResponse(exchange.req.headers.accept, false);
    let body: unknown = object;
    if (chosen.as === 'Table')
      body = toTable(
        [object],
        { resourceVersion: object.metadata.resourceVersion },
        version,
        chosen.metaVersion,
        this.includeObject(exchange),
      );
    if (chosen.as === 'PartialObjectMetadata') body = toPartialObjectMetadata(object, chosen.metaVersion);
    writeObject(exchange, code, body, chosen.encoding);
    return true;
  }

  private respondList(
    exchange: Exchange,
    version: ResourceVersion,
    list: KubeList,
    format: ResponseFormat,
  ): boolean {
    let body: unknown = list;
    if (format.as === 'Table')
      body = toTable(list.items, list.metadata, version, format.metaVersion, this.includeObject(exchange));
    if (format.as === 'PartialObjectMetadataList')
      body = toPartialObjectMetadataList(list, format.metaVersion);
    writeObject(exchange, 200, body, format.encoding);
    return true;
  }

  private includeObject(exchange: Exchange): IncludeObject {
    const value = queryParam(exchange.url, 'includeObject') ?? 'Metadata';
    if (value !== 'None' && value !== 'Metadata' && value !== 'Object') {
      throw errors.badRequest(
        `includeObject: Unsupported value: "${value}": supported values: "None", "Metadata", "Object"`,
      );
    }
    return value;
  }
}
