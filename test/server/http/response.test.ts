import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../../server/api/errors.js';
import type { Exchange } from '../../../server/http/exchange.js';
import { parseRequestInfo } from '../../../server/http/request-info.js';
import { writeError } from '../../../server/http/response.js';
import { silentLogger } from '../../../server/util/logger.js';

/** A real HTTP server whose handler answers every request with `writeError(error)`. */
async function serveError(error: () => unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const exchange: Exchange = {
      req,
      res,
      url,
      info: parseRequestInfo(req.method ?? 'GET', url),
      signal: new AbortController().signal,
      cancel: () => undefined,
      warnings: ['a warning with a bell \u0007 and 名'],
    };
    writeError(exchange, error(), silentLogger);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    })
      .on('error', reject)
      .end();
  });
}

describe('writeError', () => {
  test('answers a Status even when writing the error itself fails, and never throws', async () => {
    // A header value Node refuses: writing the 429 throws inside the error path.
    const { server, url } = await serveError(
      () =>
        new ApiError(
          { code: 429, reason: 'TooManyRequests', message: 'slow down' },
          { 'Retry-After': 'nicht\u0000jetzt' },
        ),
    );
    const r = await get(url);
    server.close();
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
  });

  test('writes warnings with any characters as headers Node accepts', async () => {
    const { server, url } = await serveError(
      () => new ApiError({ code: 404, reason: 'NotFound', message: 'no' }),
    );
    const r = await get(url);
    server.close();
    expect(r.status).toBe(404);
  });
});
