import { errors } from '../api/errors.js';
import type { KubeList, KubeObject } from '../api/types.js';
import type { ResourceVersion } from '../resources/resource-definition.js';
import type { FieldValidation, RequestScope } from '../registry/request-scope.js';
import type { DeleteOptions, ListQuery, Store } from '../registry/store.js';
import {
  toPartialObjectMetadata,
  toPartialObjectMetadataList,
  toTable,
  type IncludeObject,
} from '../registry/representations.js';
import { applyRequestPatch } from './patch-request.js';
import {
  managerFromUserAgent,
  patchTypeForContentType,
  validatePatchOptions,
  validateWriteOptions,
  type PatchType,
} from '../registry/patch/index.js';
import { resetFieldsFor } from '../registry/object-writer.js';
import type { Exchange } from './exchange.js';
import { negotiateResponse, type ResponseFormat } from './media-type.js';
import { mediaTypeOf, parseDocument, readBody, readObjectBody } from './request-body.js';
import { writeObject } from './response.js';
import type { WatchHandler } from './watch-handler.js';
import { isMutating } from './request-info.js';

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

function dryRun(url: URL): boolean {
  const values = url.searchParams.getAll('dryRun');
  for (const value of values)
    if (value !== 'All')
      throw errors.badRequest(`dryRun: unsupported value "${value}": supported values: "All"`);
  return values.length > 0;
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
    if (info.subresource && !(info.subresource === 'status' && definition.statusSubresource))
      throw errors.pathNotFound(info.path);
    if (info.subresource && !['get', 'update', 'patch'].includes(info.verb)) {
      throw errors.methodNotAllowed(exchange.req.method ?? '', info.path);
    }
    if (info.namespace === undefined && info.name && definition.namespaced)
      throw errors.pathNotFound(info.path);
    const mutating = isMutating(info);
    const scope: RequestScope = {
      namespace: info.namespace,
      version,
      dryRun: mutating ? dryRun(exchange.url) : false,
      fieldManager: ['create', 'update'].includes(info.verb) ? fieldManager(exchange) : '',
      fieldValidation: mutating ? fieldValidation(exchange.url) : 'Ignore',
      warnings: exchange.warnings,
    };
    switch (info.verb) {
      case 'get':
        return this.respondObject(exchange, version, 200, await store.get(scope, info.name));
      case 'list':
        return this.list(exchange, store, scope);
      case 'watch':
        await this.watches.serve(exchange, store, scope, this.listQuery(exchange.url));
        return true;
      case 'create': {
        if (info.name) throw errors.methodNotAllowed('POST', info.path);
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const result = await store.create(scope, (await readObjectBody(exchange)) as KubeObject);
        return this.respondObject(exchange, version, result.code, result.object, format);
      }
      case 'update': {
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const body = (await readObjectBody(exchange)) as KubeObject;
        const result = await store.update(scope, info.name, body, info.subresource ? 'status' : undefined);
        return this.respondObject(exchange, version, result.code, result.object, format);
      }
      case 'patch':
        return this.patch(exchange, store, scope, version);
      case 'delete': {
        const format = negotiateResponse(exchange.req.headers.accept, false);
        const result = await store.delete(scope, info.name, await this.deleteOptions(exchange));
        return this.respondObject(exchange, version, result.code, result.object, format);
      }
      case 'deletecollection': {
        const format = negotiateResponse(exchange.req.headers.accept, true);
        const list = await store.deleteCollection(
          scope,
          this.listQuery(exchange.url),
          await this.deleteOptions(exchange),
        );
        return this.respondList(exchange, version, list, format);
      }
      default:
        throw errors.methodNotAllowed(exchange.req.method ?? '', info.path);
    }
  }

  listQuery(url: URL): ListQuery {
    return {
      labelSelector: queryParam(url, 'labelSelector'),
      fieldSelector: queryParam(url, 'fieldSelector'),
      limit: integerParam(url, 'limit'),
      continue: queryParam(url, 'continue') || undefined,
    };
  }

  private async list(exchange: Exchange, store: Store, scope: RequestScope): Promise<boolean> {
    const format = negotiateResponse(exchange.req.headers.accept, true);
    const list = await store.list(scope, this.listQuery(exchange.url));
    return this.respondList(exchange, scope.version, list, format);
  }

  private async patch(
    exchange: Exchange,
    store: Store,
    scope: RequestScope,
    version: ResourceVersion,
  ): Promise<boolean> {
    const format = negotiateResponse(exchange.req.headers.accept, false);
    const patchType = patchTypeForContentType(exchange.req.headers['content-type']);
    const applyScope: RequestScope = { ...scope, fieldManager: fieldManager(exchange, patchType) };
    const body = await readBody(exchange);
    if (body.length === 0) throw errors.badRequest('the request body is empty');
    const subresource = exchange.info.subresource ? 'status' : undefined;
    const result = await store.patch(
      applyScope,
      exchange.info.name,
      (live) =>
        applyRequestPatch({
          patchType,
          body,
          live,
          scope: applyScope,
          force: queryParam(exchange.url, 'force') === 'true',
          ref: store.ref,
          kind: store.definition.kind,
          resetFields: resetFieldsFor(store.definition, subresource),
          name: exchange.info.name,
          subresource,
        }),
      subresource,
      patchType === 'apply',
    );
    return this.respondObject(exchange, version, result.code, result.object, format);
  }

  private async deleteOptions(exchange: Exchange): Promise<DeleteOptions> {
    const url = exchange.url;
    const body = await readBody(exchange);
    let fromBody: DeleteOptions = {};
    if (body.length > 0) {
      const mediaType = mediaTypeOf(exchange) || 'application/json';
      fromBody = parseDocument(body, mediaType) as DeleteOptions;
    }
    const policy = queryParam(url, 'propagationPolicy') ?? fromBody.propagationPolicy;
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw errors.badRequest(
        `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    const grace = integerParam(url, 'gracePeriodSeconds') ?? fromBody.gracePeriodSeconds;
    if (grace !== undefined && grace < 0)
      throw errors.badRequest('gracePeriodSeconds: must be greater than or equal to 0');
    return {
      preconditions: fromBody.preconditions,
      propagationPolicy: policy as DeleteOptions['propagationPolicy'],
      orphanDependents: fromBody.orphanDependents,
      gracePeriodSeconds: grace,
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
