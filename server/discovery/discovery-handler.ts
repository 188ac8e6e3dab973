import { createHash } from 'node:crypto';
import { errors } from '../api/errors.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { Exchange } from '../http/exchange.js';
import { parseAccept } from '../http/media-type.js';
import { writeObject } from '../http/response.js';
import {
  apiGroup,
  apiGroupDiscoveryList,
  apiGroupList,
  apiResourceList,
  apiVersions,
  servedGroups,
  type ServedGroup,
} from './discovery-documents.js';

interface Aggregated {
  readonly version: 'v2' | 'v2beta1';
  readonly contentType: string;
}

/** Which aggregated discovery document the Accept header asks for, if any. */
function aggregatedRequested(accept: string | undefined): Aggregated | undefined | 'legacy' {
  for (const range of parseAccept(accept)) {
    const { as, g, v } = range.params;
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && (v === 'v2' || v === 'v2beta1')) {
      return {
        version: v,
        contentType: `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
      };
    }
    if (!as && ['application/json', '*/*', 'application/*'].includes(range.type)) return 'legacy';
  }
  return undefined;
}

/**
 * Serves `/api`, `/apis`, `/apis/<group>` and `/apis/<group>/<version>`. Documents are computed
 * once: the set of resources is fixed for the life of the server.
 */
export class DiscoveryHandler {
  private readonly groups: ServedGroup[];
  private readonly cache = new Map<string, { body: Record<string, unknown>; etag: string }>();

  constructor(resources: readonly ResourceDefinition[]) {
    this.groups = servedGroups(resources);
  }

  /** Returns true if it answered the request. */
  handle(exchange: Exchange): boolean {
    const parts = exchange.url.pathname.split('/').filter((p) => p);
    if (parts[0] === 'api' && parts.length === 1) return this.serveRoot(exchange, [], apiVersions);
    if (parts[0] !== 'apis') return false;
    if (parts.length === 1) return this.serveRoot(exchange, this.groups, () => apiGroupList(this.groups));
    const group = this.groups.find((g) => g.name === parts[1]);
    if (!group) return false;
    if (parts.length === 2)
      return this.serve(exchange, `group/${group.name}`, () => ({
        kind: 'APIGroup',
        apiVersion: 'v1',
        ...apiGroup(group),
      }));
    if (parts.length === 3 && group.versions.includes(parts[2])) {
      return this.serve(exchange, `resources/${group.name}/${parts[2]}`, () =>
        apiResourceList(group, parts[2]),
      );
    }
    return false;
  }

  private serveRoot(
    exchange: Exchange,
    groups: readonly ServedGroup[],
    legacy: () => Record<string, unknown>,
  ): boolean {
    const requested = aggregatedRequested(exchange.req.headers.accept);
    if (requested === undefined)
      throw errors.notAcceptable(exchange.req.headers.accept ?? '', ['application/json']);
    if (requested === 'legacy') return this.serve(exchange, `root/${exchange.url.pathname}`, legacy);
    const key = `aggregated/${exchange.url.pathname}/${requested.version}`;
    return this.serve(
      exchange,
      key,
      () => apiGroupDiscoveryList(groups, requested.version),
      requested.contentType,
    );
  }

  private serve(
    exchange: Exchange,
    key: string,
    build: () => Record<string, unknown>,
    contentType?: string,
  ): boolean {
    if (exchange.req.method !== 'GET' && exchange.req.method !== 'HEAD') {
      throw errors.methodNotAllowed(exchange.req.method ?? '', exchange.url.pathname);
    }
    let entry = this.cache.get(key);
    if (!entry) {
      const body = build();
      entry = {
        body,
        etag: `"${createHash('sha512').update(JSON.stringify(body)).digest('hex').slice(0, 32)}"`,
      };
      this.cache.set(key, entry);
    }
    const headers: Record<string, string> = { ETag: entry.etag, Vary: 'Accept' };
    if (exchange.req.headers['if-none-match'] === entry.etag) {
      exchange.res.setHeader('ETag', entry.etag);
      exchange.res.setHeader('Vary', 'Accept');
      exchange.res.writeHead(304);
      exchange.res.end();
      return true;
    }
    writeObject(
      exchange,
      200,
      entry.body,
      'json',
      contentType ? { ...headers, 'Content-Type': contentType } : headers,
    );
    return true;
  }
}
