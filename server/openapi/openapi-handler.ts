import { createHash } from 'node:crypto';
import { errors } from '../api/errors.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import { endResponse, type Exchange } from '../http/exchange.js';
import { parseAccept } from '../http/media-type.js';
import { refuseWritesToReadOnlyEndpoints } from '../http/read-only-endpoints.js';
import { writeObject } from '../http/response.js';
import { servedGroups } from '../discovery/discovery-documents.js';
import { openApiV2, openApiV3 } from './openapi-documents.js';

interface Published {
  readonly text: string;
  readonly etag: string;
}

function publish(document: Record<string, unknown>): Published {
  const text = JSON.stringify(document);
  return { text, etag: createHash('sha512').update(text).digest('hex').slice(0, 64).toUpperCase() };
}

/**
 * Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/apis/<group>/<version>` from the same
 * schemas the server validates with. Only this server's own group versions are listed, and a
 * stale `hash` is answered with the current document rather than a redirect (the aggregator
 * treats a redirect from a backend as an error).
 */
export class OpenApiHandler {
  private readonly v2: Published;
  private readonly v3 = new Map<string, Published>();

  constructor(resources: readonly ResourceDefinition[], serverVersion: string) {
    this.v2 = publish(openApiV2(resources, serverVersion));
    for (const group of servedGroups(resources)) {
      for (const version of group.versions) {
        this.v3.set(
          `apis/${group.name}/${version}`,
          publish(openApiV3(resources, group.name, version, serverVersion)),
        );
      }
    }
  }

  handle(exchange: Exchange): boolean {
    refuseWritesToReadOnlyEndpoints(exchange);
    const path = exchange.url.pathname.replace(/\/+$/, '');
    if (path === '/openapi/v2') return this.serve(exchange, this.v2);
    if (path === '/openapi/v3') {
      const paths = Object.fromEntries(
        [...this.v3].map(([key, doc]) => [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.etag}` }]),
      );
      writeObject(exchange, 200, { paths });
      return true;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.v3.get(path.slice('/openapi/v3/'.length));
      if (!doc) throw errors.pathNotFound(exchange.url.pathname);
      return this.serve(exchange, doc, exchange.url.searchParams.get('hash') === doc.etag);
    }
    return false;
  }

  private serve(exchange: Exchange, doc: Published, immutable = false): boolean {
    const accepted = parseAccept(exchange.req.headers.accept).some((r) =>
      ['application/json', '*/*', 'application/*'].includes(r.type),
    );
    if (!accepted) throw errors.notAcceptable(exchange.req.headers.accept ?? '', ['application/json']);
    const { res } = exchange;
    res.setHeader('ETag', `"${doc.etag}"`);
    res.setHeader('Vary', 'Accept');
    res.setHeader('Cache-Control', immutable ? 'public, immutable' : 'no-cache, private');
    if (exchange.req.headers['if-none-match'] === `"${doc.etag}"`) {
      res.writeHead(304);
      res.end();
      return true;
    }
    res.setHeader('Content-Type', 'application/json');
    res.writeHead(200);
    endResponse(res, exchange.req.method === 'HEAD' ? undefined : doc.text);
    return true;
  }
}
