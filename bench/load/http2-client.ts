import { connect, constants, type ClientHttp2Session, type OutgoingHttpHeaders } from 'node:http2';
import type { Endpoint } from './protocol.js';

/**
 * Flow-control windows of the benchmark's connections: as large as Go's HTTP/2 transport uses
 * (4 MiB per stream), so a large LIST is never slowed down by the client's window.
 */
const STREAM_WINDOW_BYTES = 4 << 20;
const SESSION_WINDOW_BYTES = 64 << 20;

/** Opens one HTTP/2 connection over TLS with the endpoint's client certificate. */
export function openSession(endpoint: Endpoint): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(endpoint.url, {
      ca: endpoint.caPem,
      cert: endpoint.certPem,
      key: endpoint.keyPem,
      settings: { initialWindowSize: STREAM_WINDOW_BYTES, enablePush: false },
      // Megabytes; nghttp2 refuses new streams when the session holds more than this.
      maxSessionMemory: 512,
    });
    const fail = (error: Error): void => {
      session.destroy();
      reject(error);
    };
    session.once('error', fail);
    session.once('connect', () => {
      session.off('error', fail);
      session.setLocalWindowSize(SESSION_WINDOW_BYTES);
      // Errors after the connect end the session; the streams on it fail with their own error.
      session.on('error', () => undefined);
      resolve(session);
    });
  });
}

export interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly accept?: string;
  readonly contentType?: string;
  readonly body?: string;
  /** Keep the whole body (else only its size and the first `headBytes` are kept). */
  readonly keepBody?: boolean;
  /** How many bytes of the start of the body to keep when the whole body is not kept. @default 512 */
  readonly headBytes?: number;
}

/** A request that has sent or received nothing for this long fails, so a stuck server cannot hang a run. */
const IDLE_TIMEOUT_MS = 120_000;

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly bytes: number;
  /** The whole body (keepBody) or its first headBytes bytes. */
  readonly body: Buffer;
}

/** One request on `session`, resolving once the whole answer has arrived. */
export function call(session: ClientHttp2Session, endpoint: Endpoint, request: Call): Promise<Answer> {
  const headers: OutgoingHttpHeaders = {
    ...(endpoint.headers as OutgoingHttpHeaders),
    [constants.HTTP2_HEADER_METHOD]: request.method,
    [constants.HTTP2_HEADER_PATH]: request.path,
    accept: request.accept ?? 'application/json',
  };
  if (request.contentType) headers['content-type'] = request.contentType;
  return new Promise<Answer>((resolve, reject) => {
    const stream = session.request(headers, { endStream: request.body === undefined });
    stream.setTimeout(IDLE_TIMEOUT_MS, () => {
      reject(new Error(`no answer to ${request.method} ${request.path} within ${IDLE_TIMEOUT_MS} ms`));
      stream.close(constants.NGHTTP2_CANCEL);
    });
    let status = 0;
    let contentType = '';
    let bytes = 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    // The start of every answer is kept, to describe an unexpected one.
    const limit = request.keepBody ? Number.POSITIVE_INFINITY : (request.headBytes ?? 512);
    stream.once('response', (responseHeaders) => {
      status = Number(responseHeaders[constants.HTTP2_HEADER_STATUS]);
      contentType = String(responseHeaders['content-type'] ?? '');
    });
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (keptBytes < limit) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
    });
    stream.once('end', () => resolve({ status, contentType, bytes, body: Buffer.concat(kept) }));
    stream.once('error', reject);
    // A stream the server resets without an error event (e.g. REFUSED_STREAM) closes unended.
    stream.once('close', () => {
      if (stream.rstCode && stream.rstCode !== constants.NGHTTP2_NO_ERROR)
        reject(new Error(`stream reset with code ${stream.rstCode}`));
    });
    if (request.body !== undefined) stream.end(request.body);
  });
}

/** A short, single-line description of an unexpected answer, for the report. */
export function describeAnswer(answer: Answer): string {
  const text = answer.body.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ');
  return `HTTP ${answer.status}: ${text}`;
}
