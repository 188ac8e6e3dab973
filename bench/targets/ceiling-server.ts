/**
 * The ceiling: a bare Node HTTP/2 TLS server (same TLS setup as the servers under test:
 * client certificates requested, 1000 streams per connection) that answers every request with
 * the bytes it was given for the current workload, doing no other work. What it reaches is
 * what Node's HTTP/2 stack (and the load generator) can do on the same cores.
 *
 * Run as a child process (see ceiling.ts): argv are the certificate and key files; IPC
 * messages set the answer ({ type: 'answer', contentType, body }), and it reports
 * { type: 'listening', port } once it listens on 127.0.0.1.
 *
 * Unlike the servers under test it may hold 1 GiB of unsent answers per connection (Node's
 * default is 10 MB, past which new streams are refused with ENHANCE_YOUR_CALM), so that large
 * lists never fail on it: it is the bound, not a server.
 *
 * Watches (`watch=true` in the query) stay open; every POST is sent to each open watch as an
 * ADDED event carrying the posted object, before it is answered, as a fan-out would.
 */
import { readFileSync } from 'node:fs';
import { constants, createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

export type CeilingMessage =
  | { readonly type: 'answer'; readonly contentType: string; readonly body: string }
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'answer-set' };

const [certFile, keyFile] = process.argv.slice(2);
let contentType = 'application/json';
let body = Buffer.from('{}');
const watches = new Set<ServerHttp2Stream>();
const statusFor: Readonly<Record<string, number>> = { POST: 201 };

const server = createSecureServer({
  cert: readFileSync(certFile),
  key: readFileSync(keyFile),
  requestCert: true,
  rejectUnauthorized: false,
  settings: { maxConcurrentStreams: 1000 },
  maxSessionMemory: 1024,
});

server.on('stream', (stream, headers) => {
  const method = String(headers[constants.HTTP2_HEADER_METHOD]);
  const path = String(headers[constants.HTTP2_HEADER_PATH]);
  stream.on('error', () => undefined);
  if (method === 'GET' && /[?&]watch=(true|1)(&|$)/.test(path)) {
    stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, 'content-type': 'application/json' });
    watches.add(stream);
    stream.once('close', () => watches.delete(stream));
    return;
  }
  const received: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => received.push(chunk));
  stream.once('end', () => {
    if (method === 'POST' && watches.size > 0) {
      const event = `{"type":"ADDED","object":${Buffer.concat(received).toString('utf8')}}\n`;
      for (const watch of watches) watch.write(event);
    }
    stream.respond({
      [constants.HTTP2_HEADER_STATUS]: statusFor[method] ?? 200,
      'content-type': contentType,
      'content-length': body.length,
    });
    stream.end(body);
  });
});

process.on('message', (message: CeilingMessage) => {
  if (message.type !== 'answer') return;
  contentType = message.contentType;
  body = Buffer.from(message.body);
  process.send!({ type: 'answer-set' } satisfies CeilingMessage);
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send!({
    type: 'listening',
    port: (server.address() as AddressInfo).port,
  } satisfies CeilingMessage);
});
