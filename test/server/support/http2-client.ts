import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import type { TestServer } from './test-server.js';

export interface Http2Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * Requests over HTTP/2 (negotiated with ALPN, as the aggregator's client does) to a test server,
 * as its admin. One session, reused for every request until `close`.
 */
export class Http2Client {
  private readonly session: ClientHttp2Session;

  constructor(server: TestServer) {
    this.session = connect(server.baseUrl, {
      ca: server.admin.ca,
      cert: server.admin.cert,
      key: server.admin.key,
    });
    this.session.on('error', () => undefined);
  }

  request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Http2Response> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const stream = this.session.request({
        ':method': method,
        ':path': path,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      });
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (headers = h));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: Number(headers[':status']),
          headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
      stream.end(body);
    });
  }

  close(): void {
    this.session.close();
  }
}
