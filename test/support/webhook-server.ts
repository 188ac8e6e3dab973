import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate } from '../../server/pki/certificates.js';

/** The request part of an AdmissionReview, as the webhook received it. */
export interface ReceivedReview {
  readonly apiVersion: string;
  readonly kind: string;
  readonly request: Record<string, unknown> & {
    uid: string;
    object?: Record<string, unknown> | null;
    oldObject?: Record<string, unknown> | null;
  };
  /** The URL path and query the webhook was called at. */
  readonly url: string;
}

/** What the test's webhook answers: the `response` of an AdmissionReview (uid filled in), or a raw body. */
export type WebhookHandler = (
  review: ReceivedReview,
) => Record<string, unknown> | { readonly raw: string; readonly status?: number } | Promise<never>;

export interface TestWebhookServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The CA that signed the serving certificate, base64 as a caBundle. */
  readonly caBundle: string;
  readonly received: ReceivedReview[];
  /** Replaces the handler of a path (`/mutate`, `/validate`, ...). */
  handle(path: string, handler: WebhookHandler): void;
  close(): Promise<void>;
}

/** A base64 JSON patch, as a mutating webhook returns it. */
export function jsonPatch(operations: readonly Record<string, unknown>[]): string {
  return Buffer.from(JSON.stringify(operations)).toString('base64');
}

/**
 * A real admission webhook over TLS with its own CA (serving 127.0.0.1 and localhost), whose
 * answers the test decides per path.
 */
export async function startWebhookServer(): Promise<TestWebhookServer> {
  const ca = await createCertificateAuthority('test-webhook-ca');
  const serving = await issueCertificate(ca, {
    commonName: 'test-webhook',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validityDays: 1,
  });
  const handlers = new Map<string, WebhookHandler>();
  const received: ReceivedReview[] = [];
  const server: Server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const review = {
          ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<ReceivedReview, 'url'>),
          url: req.url ?? '',
        };
        received.push(review);
        const path = new URL(req.url ?? '/', 'https://localhost').pathname;
        const handler = handlers.get(path);
        if (!handler) {
          res.writeHead(404).end();
          return;
        }
        const answer = await handler(review);
        if ('raw' in answer && typeof answer.raw === 'string') {
          res.writeHead((answer.status as number | undefined) ?? 200, { 'Content-Type': 'application/json' });
          res.end(answer.raw);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            apiVersion: review.apiVersion,
            kind: 'AdmissionReview',
            response: { uid: review.request.uid, ...answer },
          }),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    received,
    handle: (path, handler) => void handlers.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
