import {
  connect,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AuthenticationError,
  type Authenticator,
  type UserInfo,
} from '../../../../server/auth/authenticator.js';
import type { Authorizer, Decision } from '../../../../server/auth/authorizer.js';
import { parseRequestInfo } from '../../../../server/http/request-info.js';
import {
  createCertificateAuthority,
  issueCertificate,
  type KeyPairPem,
} from '../../../../server/pki/certificates.js';

/** What the server saw: who the request is, and the headers left after authentication. */
export interface AuthAnswer {
  readonly status: number;
  readonly user?: UserInfo;
  readonly decision?: Decision;
  readonly error?: string;
  /** rawHeaders left on the request after authentication, as [name, value] pairs. */
  readonly rawHeaders: readonly (readonly [string, string])[];
  readonly headers: Record<string, unknown>;
}

export interface ClientOptions {
  /** The client's TLS certificate; none: no client certificate. */
  readonly identity?: KeyPairPem;
  /** Repeated values are sent as repeated header lines. */
  readonly headers?: Record<string, string | readonly string[]>;
  readonly method?: string;
}

export interface TlsAuthServer {
  readonly port: number;
  /** HTTP/1.1 over TLS. */
  request(path: string, options?: ClientOptions): Promise<AuthAnswer>;
  /** HTTP/2 over TLS (as kube-aggregator talks). */
  requestH2(path: string, options?: ClientOptions): Promise<AuthAnswer>;
  /** One HTTP/2 connection with a client certificate, carrying any number of requests. */
  openH2Session(identity?: KeyPairPem): H2Connection;
  close(): Promise<void>;
}

export interface H2Connection {
  request(path: string, headers?: Record<string, string>): Promise<AuthAnswer>;
  close(): void;
}

/**
 * A TLS server like the real one (client certificates requested, not required; HTTP/2 with
 * HTTP/1.1 fallback) whose handler runs an authenticator (and, if given, an authorizer) and
 * answers with the resulting user as JSON.
 */
export async function startTlsAuthServer(
  authenticator: Authenticator,
  authorizer?: Authorizer,
): Promise<TlsAuthServer> {
  const ca = await createCertificateAuthority('auth-test-serving-ca');
  const serving = await issueCertificate(ca, {
    commonName: 'localhost',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validityDays: 1,
  });
  const handler = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): void => {
    void (async () => {
      let body: Omit<AuthAnswer, 'rawHeaders' | 'headers'>;
      try {
        const user = await authenticator.authenticate(req);
        let decision: Decision | undefined;
        if (authorizer && user) {
          const info = parseRequestInfo(req.method ?? 'GET', new URL(req.url ?? '/', 'https://localhost'));
          try {
            decision = await authorizer.authorize({ user, request: info });
          } catch (error) {
            decision = { allowed: false, reason: `error: ${(error as Error).message}` };
          }
        }
        body = { status: 200, user, decision };
      } catch (error) {
        body = { status: error instanceof AuthenticationError ? 401 : 500, error: (error as Error).message };
      }
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
        pairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const answer: AuthAnswer = { ...body, rawHeaders: pairs, headers: { ...req.headers } };
      (res as ServerResponse).writeHead(body.status, { 'Content-Type': 'application/json' });
      (res as ServerResponse).end(JSON.stringify(answer));
    })();
  };
  const server: Http2SecureServer = createSecureServer(
    {
      cert: serving.certPem,
      key: serving.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
    },
    handler,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const request = (path: string, options: ClientOptions = {}): Promise<AuthAnswer> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(options.headers ?? {}))
        headers[name] = typeof value === 'string' ? value : [...value];
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: options.method ?? 'GET',
          headers,
          ca: ca.certPem,
          cert: options.identity?.certPem,
          key: options.identity?.keyPem,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AuthAnswer));
        },
      );
      req.on('error', reject);
      req.end();
    });

  const openH2Session = (identity?: KeyPairPem): H2Connection => {
    const session = connect(`https://127.0.0.1:${port}`, {
      ca: ca.certPem,
      cert: identity?.certPem,
      key: identity?.keyPem,
    });
    return {
      request: (path, headers = {}) =>
        new Promise((resolve, reject) => {
          const stream = session.request({ ':path': path, ':method': 'GET', ...headers });
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AuthAnswer));
          stream.on('error', reject);
          stream.end();
        }),
      close: () => session.close(),
    };
  };

  const requestH2 = (path: string, options: ClientOptions = {}): Promise<AuthAnswer> =>
    new Promise((resolve, reject) => {
      const session = connect(`https://127.0.0.1:${port}`, {
        ca: ca.certPem,
        cert: options.identity?.certPem,
        key: options.identity?.keyPem,
      });
      session.on('error', reject);
      const headers: Record<string, string | string[]> = {
        ':path': path,
        ':method': options.method ?? 'GET',
      };
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        headers[name.toLowerCase()] = typeof value === 'string' ? value : [...value];
      }
      const stream = session.request(headers);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        session.close();
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AuthAnswer);
      });
      stream.on('error', reject);
      stream.end();
    });

  return {
    port,
    request,
    requestH2,
    openH2Session,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Header names left on the request, lower case. */
export function remainingHeaderNames(answer: AuthAnswer): string[] {
  return answer.rawHeaders.map(([name]) => name.toLowerCase());
}
