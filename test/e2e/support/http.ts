import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsRequestOptions {
  readonly method?: string;
  /** CA bundle the server certificate must chain to. */
  readonly ca?: string;
  /** Client certificate and key. */
  readonly cert?: string;
  readonly key?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP(S) request without connection reuse (no agent, so nothing keeps jest alive),
 * resolving with the whole body. Network errors and timeouts reject.
 */
export function request(url: string, options: TlsRequestOptions = {}): Promise<SimpleResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SimpleResponse>((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        timeout: options.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${req.method} ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
