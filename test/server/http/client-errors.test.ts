import { connect } from 'node:tls';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Sends raw bytes over TLS with ALPN http/1.1 and returns the whole answer. */
function sendRaw(t: TestServer, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: t.server.port,
      ca: t.admin.ca,
      cert: t.admin.cert,
      key: t.admin.key,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(raw);
  });
}

function statusOf(answer: string): { code: number; body: Record<string, unknown> } {
  const [head, body] = answer.split('\r\n\r\n');
  return { code: Number(head.split(' ')[1]), body: JSON.parse(body) as Record<string, unknown> };
}

describe("requests Node's HTTP/1.1 parser refuses", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('an unknown method is a 405 Status', async () => {
    const answer = statusOf(await sendRaw(t, 'FROBNICATE /apis HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    expect(answer.code).toBe(405);
    expect(answer.body).toMatchObject({ kind: 'Status', code: 405, reason: 'MethodNotAllowed' });
  });

  test('headers past the size limit are a 431 Status', async () => {
    const raw = `GET /apis HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    const answer = statusOf(await sendRaw(t, raw));
    expect(answer.code).toBe(431);
    expect(answer.body).toMatchObject({ kind: 'Status', code: 431 });
  });

  test('bytes that are not HTTP are a 400 Status', async () => {
    const answer = statusOf(await sendRaw(t, 'GET /apis HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'));
    expect(answer.code).toBe(400);
    expect(answer.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
  });
});
