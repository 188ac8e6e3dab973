import { connect, constants } from 'node:http2';
import { request as httpsRequest, Agent } from 'node:https';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '../../../server/pki/certificates.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

describe('transport: HTTP/2, health, metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('HTTP/2 is negotiated by ALPN with 1000 concurrent streams, and hundreds of streams share one connection', async () => {
    const session = connect(t.baseUrl, { ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key });
    await new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    expect(session.alpnProtocol).toBe('h2');
    expect(session.remoteSettings.maxConcurrentStreams).toBe(1000);
    const statuses = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<number>((resolve, reject) => {
            const stream = session.request({ [constants.HTTP2_HEADER_PATH]: '/apis/metrics.example.com/v1' });
            stream.on('response', (headers) => resolve(Number(headers[constants.HTTP2_HEADER_STATUS])));
            stream.on('error', reject);
            stream.resume();
            stream.end();
          }),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    session.close();
  });

  test('HTTP/1.1 still works for clients without ALPN h2', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: t.server.port,
      ca: t.admin.ca,
      ALPNProtocols: ['http/1.1'],
      servername: 'localhost',
    });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.destroy();
    expect((await t.request('GET', '/livez')).text).toBe('ok');
  });

  test('TLS below 1.2 is refused', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: t.server.port,
      ca: t.admin.ca,
      maxVersion: 'TLSv1.1',
      minVersion: 'TLSv1',
      servername: 'localhost',
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('secureConnect', () => resolve('connected'));
      socket.once('error', () => resolve('refused'));
    });
    socket.destroy();
    expect(outcome).toBe('refused');
  });

  test("TLS renegotiation is refused, so a connection's client certificate cannot change under it", async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: t.server.port,
      ca: t.admin.ca,
      cert: t.admin.cert,
      key: t.admin.key,
      maxVersion: 'TLSv1.2',
      ALPNProtocols: ['http/1.1'],
      servername: 'localhost',
    });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.renegotiate({}, () => undefined);
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  test("a session holding more unsent data than Node's default 10 MB still accepts new streams", async () => {
    const big = '/apis/metrics.example.com/v1/namespaces/big/metricsnapshots';
    await t.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } },
    });
    // About 100 KB each: 120 of them make a list of some 12 MB.
    const metrics = Array.from({ length: 100 }, (_, i) => `m${i}_${'x'.repeat(1000)}`);
    for (let i = 0; i < 120; i++) {
      const created = await t.request('POST', big, {
        body: { ...seedSnapshot(`big-${i}`, 'big'), spec: { source: 'prometheus', metrics, interval: '1h' } },
      });
      expect(created.status).toBe(201);
    }
    const session = connect(t.baseUrl, { ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key });
    try {
      // The list is not read: what flow control holds back stays queued in the server's session.
      const list = session.request({ [constants.HTTP2_HEADER_PATH]: big });
      await new Promise((resolve, reject) => {
        list.once('response', resolve);
        list.once('error', reject);
      });
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ [constants.HTTP2_HEADER_PATH]: '/apis/metrics.example.com/v1' });
        stream.on('response', (headers) => resolve(Number(headers[constants.HTTP2_HEADER_STATUS])));
        stream.on('error', reject);
        stream.resume();
        stream.end();
      });
      expect(status).toBe(200);
      list.resume();
    } finally {
      session.destroy();
    }
  });

  test('/readyz?verbose lists its checks, including storage', async () => {
    const r = await t.request('GET', '/readyz?verbose', { anonymous: true });
    expect(r.status).toBe(200);
    expect(r.text).toContain('[+]storage ok');
    expect(r.text).toContain('readyz check passed');
  });

  test('/metrics exposes request counts by verb, resource and code', async () => {
    await t.request('POST', collection, { body: seedSnapshot('counted') });
    await t.request('GET', `${collection}/missing`);
    const metrics = (await t.request('GET', '/metrics')).text;
    expect(metrics).toMatch(
      /apiserver_request_total\{verb="CREATE",group="metrics.example.com",version="v1",resource="metricsnapshots",subresource="",code="201"\} 1/,
    );
    expect(metrics).toMatch(/apiserver_request_total\{verb="GET",[^}]*code="404"\} 1/);
    expect(metrics).toContain('apiserver_request_duration_seconds_bucket');
    expect(metrics).toContain('apiserver_longrunning_requests');
  });
});

/** Sends headers and part of a body, then holds the request open. */
function holdRequest(t: TestServer, agent: Agent): Promise<() => void> {
  return new Promise((resolve) => {
    const r = httpsRequest(`${t.baseUrl}${collection}`, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' },
    });
    r.on('error', () => undefined);
    r.write('{"apiVersion":');
    r.flushHeaders();
    setTimeout(() => resolve(() => r.destroy()), 300);
  });
}

describe('limits: in-flight and request timeout', () => {
  test('past --max-mutating-requests-inflight a write is 429 with Retry-After; reads still pass', async () => {
    const t = await startTestServer({ args: ['--max-mutating-requests-inflight=1'] });
    const agent = new Agent({ ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key });
    const release = await holdRequest(t, agent);
    const refused = await t.request('POST', collection, { body: seedSnapshot('second') });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
    expect((await t.request('GET', collection)).status).toBe(200);
    release();
    agent.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await t.request('POST', collection, { body: seedSnapshot('third') })).status).toBe(201);
    await t.stop();
  });

  test('a request past --request-timeout is 504 Timeout', async () => {
    const t = await startTestServer({ args: ['--request-timeout=1s'] });
    const agent = new Agent({ ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key });
    const response = await new Promise<{ status: number; body: string }>((resolve) => {
      const r = httpsRequest(
        `${t.baseUrl}${collection}`,
        { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      r.on('error', () => undefined);
      r.write('{');
    });
    expect(response.status).toBe(504);
    expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'Timeout' });
    agent.destroy();
    await t.stop();
  });
});

describe('lifecycle: certificate reload and graceful shutdown', () => {
  test('a serving certificate replaced on disk is used for new connections without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reload-'));
    const ca = await createCertificateAuthority('reload CA');
    const { writeFileSync } = await import('node:fs');
    const issue = async (name: string): Promise<void> => {
      const pair = await issueCertificate(ca, {
        commonName: name,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        usage: 'server',
        validityDays: 1,
      });
      writeFileSync(join(dir, `${name}.crt`), pair.certPem);
      writeFileSync(join(dir, `${name}.key`), pair.keyPem);
    };
    await issue('first');
    await issue('second');
    copyFileSync(join(dir, 'first.crt'), join(dir, 'tls.crt'));
    copyFileSync(join(dir, 'first.key'), join(dir, 'tls.key'));
    const t = await startTestServer({
      args: [`--tls-cert-file=${join(dir, 'tls.crt')}`, `--tls-private-key-file=${join(dir, 'tls.key')}`],
    });
    const peerName = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect(
          { host: '127.0.0.1', port: t.server.port, ca: ca.certPem, servername: 'localhost' },
          () => {
            resolve(socket.getPeerCertificate().subject.CN as string);
            socket.destroy();
          },
        );
        socket.on('error', reject);
      });
    expect(await peerName()).toBe('first');
    copyFileSync(join(dir, 'second.key'), join(dir, 'tls.key'));
    copyFileSync(join(dir, 'second.crt'), join(dir, 'tls.crt'));
    const deadline = Date.now() + 5000;
    let name = await peerName();
    while (name !== 'second' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      name = await peerName();
    }
    expect(name).toBe('second');
    await t.stop();
  });

  test('shutdown does not wait for the shutdown timeout when an HTTP/1.1 keep-alive connection carried a watch', async () => {
    // The timeout is longer than this test may run: only ending the idle connection lets it pass.
    const t = await startTestServer({ args: ['--shutdown-timeout=120s'] });
    const agent = new Agent({ ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key, keepAlive: true });
    const ended = new Promise<number>((resolve, reject) => {
      const r = httpsRequest(`${t.baseUrl}${collection}?watch=true`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      r.on('error', reject);
      r.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.stop();
    expect(await ended).toBe(200);
    agent.destroy();
  }, 20_000);

  test('shutdown fails readiness during the delay, ends watches cleanly and drains', async () => {
    const t = await startTestServer({ args: ['--shutdown-delay-duration=1s'] });
    const stream = await t.watch(`${collection}?watch=true`);
    const stopping = t.server.shutdown();
    await new Promise((r) => setTimeout(r, 200));
    const ready = await t.request('GET', '/readyz', { anonymous: true });
    expect(ready.status).toBe(500);
    expect(ready.text).toContain('[-]shutdown failed');
    await stopping;
    while (!stream.ended()) await stream.next(3000);
    expect(stream.ended()).toBe(true);
  });
});
