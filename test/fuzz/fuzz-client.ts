import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { Agent, request as httpsRequest } from 'node:https';
import type { FuzzRequest } from './request-families.js';

export interface Credentials {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface FuzzResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How long one request may take before the fuzzer counts the server as frozen. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends fuzz requests over HTTP/1.1 (a keep-alive agent, as kubectl's) and HTTP/2 (one session,
 * as the aggregator's), and reads watches the way the request asks: for a while, or not at all.
 * A transport failure is an Error; what the server answered, whatever it is, is a response.
 */
export class FuzzClient {
  private readonly agent: Agent;
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly credentials: Credentials,
  ) {
    this.agent = new Agent({ ...credentials, keepAlive: true, maxSockets: 16 });
  }

  send(request: FuzzRequest, protocol: 'http/1.1' | 'h2'): Promise<FuzzResponse> {
    return protocol === 'h2' ? this.sendH2(request) : this.sendH1(request);
  }

  close(): void {
    this.agent.destroy();
    this.session?.destroy();
  }

  private sendH1(request: FuzzRequest): Promise<FuzzResponse> {
    return new Promise((resolve, reject) => {
      const headers = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
      const req = httpsRequest(
        `${this.baseUrl}${request.path}`,
        { method: request.method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          const done = (): void =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          if (request.watch && res.statusCode === 200) {
            if (request.watch.stall) res.pause();
            else res.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
            setTimeout(() => {
              req.destroy();
              done();
            }, request.watch.readMs);
            res.on('error', () => undefined);
            return;
          }
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', done);
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(request.body);
    });
  }

  private h2(): ClientHttp2Session {
    if (!this.session || this.session.closed || this.session.destroyed) {
      const session = connect(this.baseUrl, { ...this.credentials });
      session.on('error', () => undefined);
      this.session = session;
    }
    return this.session;
  }

  private sendH2(request: FuzzRequest): Promise<FuzzResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ':method': request.method, ':path': request.path };
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      let stream;
      try {
        stream = this.h2().request(headers);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const chunks: Buffer[] = [];
      let responseHeaders: IncomingHttpHeaders = {};
      const timer = setTimeout(() => stream.close(), REQUEST_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve({
          status: Number(responseHeaders[':status']),
          headers: responseHeaders,
          body: Buffer.concat(chunks),
        });
      };
      stream.on('response', (h) => {
        responseHeaders = h;
        if (request.watch && Number(h[':status']) === 200) {
          if (request.watch.stall) stream.pause();
          setTimeout(() => {
            stream.close();
            done();
          }, request.watch.readMs);
        }
      });
      stream.on('data', (chunk: Buffer) => chunks.length < 64 && chunks.push(chunk));
      stream.on('end', done);
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.end(request.body);
    });
  }
}
