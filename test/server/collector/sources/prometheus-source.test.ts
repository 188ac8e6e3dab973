import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlagError, type FlagSpec } from '../../../../server/options/flag-parser.js';
import { MetricReadError } from '../../../../server/collector/metric-source.js';
import {
  PrometheusSource,
  prometheusSource,
} from '../../../../server/collector/sources/prometheus-source.js';
import { createCertificateAuthority, issueCertificate } from '../../../../server/pki/certificates.js';
import { silentLogger } from '../../../../server/util/logger.js';
import { MetricsTarget } from '../../../support/metrics-target.js';
import { freePorts } from '../../../support/ports.js';
import { PrometheusProcess } from '../../../support/prometheus-process.js';

/** Now, in whole seconds, a moment ago: Prometheus has scraped by then. */
const aMomentAgo = (): Date => new Date((Math.floor(Date.now() / 1000) - 1) * 1000);

const read = (source: PrometheusSource, metric: string, time = aMomentAgo(), timeoutMs = 5_000) =>
  source.read(metric, { time, timeoutMs, signal: new AbortController().signal });

async function readFailure(promise: Promise<number>): Promise<MetricReadError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MetricReadError) return error;
    throw error;
  }
  throw new Error('the read succeeded');
}

/** Starts an HTTP server on 127.0.0.1 and resolves with its port. */
async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('source: prometheus, against a real Prometheus scraping a real target', () => {
  let dir: string;
  let target: MetricsTarget;
  let prometheus: PrometheusProcess;
  let source: PrometheusSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prometheus-source-'));
    target = await MetricsTarget.start();
    target.temperature.set(21.5);
    target.queueLength.set({ queue: 'a' }, 3);
    target.queueLength.set({ queue: 'b' }, 4);
    prometheus = await PrometheusProcess.start({ targets: [target.address] });
    await prometheus.waitForTargets();
    source = new PrometheusSource({ url: prometheus.url, log: silentLogger });
  }, 60_000);
  afterAll(async () => {
    await source?.close();
    await prometheus?.dispose();
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads a metric at the given instant: the number Prometheus answers for the same query and time', async () => {
    const time = aMomentAgo();
    const answer = await prometheus.query('collector_test_temperature_celsius', time.getTime() / 1000);
    const [series] = answer.data.result as { value: [number, string] }[];
    expect(await read(source, 'collector_test_temperature_celsius', time)).toBe(Number(series.value[1]));
    expect(Number(series.value[1])).toBe(21.5);
  });

  test('reads a PromQL expression that yields one series or a scalar', async () => {
    expect(await read(source, 'sum(collector_test_queue_length)')).toBe(7);
    expect(await read(source, 'collector_test_queue_length{queue="b"}')).toBe(4);
    expect(await read(source, 'scalar(sum(collector_test_queue_length)) * 2')).toBe(14);
  });

  test('answers NaN and infinities as numbers (Prometheus writes them "NaN", "+Inf", "-Inf")', async () => {
    expect(await read(source, '0/0')).toBeNaN();
    expect(await read(source, '1/0')).toBe(Infinity);
    expect(await read(source, '-1/0')).toBe(-Infinity);
  });

  test('a metric name without series is UnknownMetric, an expression without series NoData', async () => {
    const unknown = await readFailure(read(source, 'collector_test_no_such_metric'));
    expect(unknown).toMatchObject({
      reason: 'UnknownMetric',
      message: 'Prometheus has no series named collector_test_no_such_metric',
      sourceFailed: false,
    });
    const empty = await readFailure(read(source, 'collector_test_queue_length{queue="none"} + 1'));
    expect(empty).toMatchObject({ reason: 'NoData', message: 'the expression yields no series' });
  });

  test('several series are reported as such, never guessed', async () => {
    const several = await readFailure(read(source, 'collector_test_queue_length'));
    expect(several.reason).toBe('SeveralSeries');
    expect(several.message).toContain('the query yields 2 series where one number was expected');
    expect(several.message).toContain('collector_test_queue_length{');
    expect(several.message).toContain('queue="a"');
  });

  test("bad PromQL and a range vector are QueryErrors, with Prometheus' words", async () => {
    const syntax = await readFailure(read(source, 'sum('));
    expect(syntax.reason).toBe('QueryError');
    expect(syntax.message).toContain('Prometheus refused the query: bad_data');
    expect(syntax.message).toContain('unclosed left parenthesis');
    const range = await readFailure(read(source, 'collector_test_temperature_celsius[1m]'));
    expect(range).toMatchObject({
      reason: 'QueryError',
      message: 'the query yields a range vector, not one number',
    });
  });

  test('a port where nothing listens is SourceUnreachable, for the whole source, without saying where', async () => {
    const [port] = await freePorts(1);
    const nowhere = new PrometheusSource({ url: `http://127.0.0.1:${port}`, log: silentLogger });
    const failed = await readFailure(read(nowhere, 'up'));
    expect(failed).toMatchObject({
      reason: 'SourceUnreachable',
      message: 'cannot reach Prometheus: the connection was refused',
      sourceFailed: true,
    });
    expect(failed.message).not.toContain(String(port));
    await nowhere.close();
  });

  test('a server that never answers is SourceUnreachable once the query timeout passes', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    const port = await listen(silent);
    const hung = new PrometheusSource({ url: `http://127.0.0.1:${port}`, log: silentLogger });
    try {
      const failed = await readFailure(read(hung, 'up', aMomentAgo(), 300));
      expect(failed).toMatchObject({
        reason: 'SourceUnreachable',
        message: 'cannot reach Prometheus: no answer within 0.3s',
      });
    } finally {
      await hung.close();
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('an answer larger than 1 MiB is not read to the end', async () => {
    const flood = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"status":"success","data":{"resultType":"string","result":[0,"${'x'.repeat(2 << 20)}"]}}`);
    });
    const port = await listen(flood);
    const flooded = new PrometheusSource({ url: `http://127.0.0.1:${port}`, log: silentLogger });
    try {
      const failed = await readFailure(read(flooded, 'up'));
      expect(failed.reason).toBe('QueryError');
      expect(failed.message).toContain('the answer is larger than 1 MiB');
    } finally {
      await flooded.close();
      flood.closeAllConnections();
      await new Promise((resolve) => flood.close(resolve));
    }
  });

  test('sends the bearer token of its file, read again for every query', async () => {
    // A proxy that wants a bearer token in front of Prometheus, as kube-rbac-proxy would be.
    let expected = 'first-token';
    const proxy = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${expected}`) {
        res.writeHead(401).end('Unauthorized');
        return;
      }
      const upstream = request(
        `${prometheus.url}${req.url}`,
        { headers: { Accept: 'application/json' } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.end();
    });
    const port = await listen(proxy);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first-token\n');
    const guarded = new PrometheusSource({
      url: `http://127.0.0.1:${port}`,
      bearerTokenFile: tokenFile,
      log: silentLogger,
    });
    try {
      expect(await read(guarded, 'sum(collector_test_queue_length)')).toBe(7);
      expected = 'second-token';
      const refused = await readFailure(read(guarded, 'up'));
      expect(refused).toMatchObject({
        reason: 'SourceUnauthorized',
        message: 'Prometheus refused the credentials (HTTP 401)',
        sourceFailed: true,
      });
      writeFileSync(tokenFile, 'second-token');
      expect(await read(guarded, 'sum(collector_test_queue_length)')).toBe(7);
    } finally {
      await guarded.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('reaches a Prometheus serving HTTPS with the CA it is given, and refuses one it cannot verify', async () => {
    const ca = await createCertificateAuthority('prometheus-test-ca', 1);
    const serving = await issueCertificate(ca, {
      commonName: 'prometheus',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validityDays: 1,
    });
    writeFileSync(join(dir, 'tls.crt'), serving.certPem);
    writeFileSync(join(dir, 'tls.key'), serving.keyPem);
    const secure = await PrometheusProcess.start({
      targets: [target.address],
      tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caPem: ca.certPem },
    });
    const trusting = new PrometheusSource({ url: secure.url, ca: ca.certPem, log: silentLogger });
    const doubting = new PrometheusSource({ url: secure.url, log: silentLogger });
    try {
      await secure.waitForTargets();
      expect(secure.url).toMatch(/^https:/);
      expect(await read(trusting, 'collector_test_temperature_celsius')).toBe(21.5);
      const refused = await readFailure(read(doubting, 'up'));
      expect(refused.reason).toBe('SourceUnreachable');
      expect(refused.message).toMatch(/^cannot reach Prometheus: its TLS certificate is not trusted \(/);
    } finally {
      await trusting.close();
      await doubting.close();
      await secure.dispose();
    }
  });
});

describe('the prometheus source plugin', () => {
  const open = (values: Record<string, string>) =>
    prometheusSource.open({
      flag: <T>(spec: FlagSpec<T>): T => (values[spec.name] ?? spec.default) as T,
      log: silentLogger,
    });

  test('takes --prometheus-url, --prometheus-bearer-token-file and --prometheus-ca-file', () => {
    expect(prometheusSource.flags?.map((f) => f.name)).toEqual([
      'prometheus-url',
      'prometheus-bearer-token-file',
      'prometheus-ca-file',
    ]);
  });

  test('without --prometheus-url every read says the source is not configured', async () => {
    const unconfigured = await open({});
    const failed = await readFailure(
      unconfigured.read('up', { time: new Date(), timeoutMs: 1_000, signal: new AbortController().signal }),
    );
    expect(failed).toMatchObject({
      reason: 'SourceNotConfigured',
      message: 'the server was started without --prometheus-url',
      sourceFailed: true,
    });
  });

  test('a URL that is not http(s) or a CA file that cannot be read is a flag error', async () => {
    await expect(
      Promise.resolve().then(() => open({ 'prometheus-url': 'ftp://prometheus' })),
    ).rejects.toThrow(new FlagError('--prometheus-url: the Prometheus URL must be http or https, not ftp:'));
    await expect(
      Promise.resolve().then(() =>
        open({ 'prometheus-url': 'http://prometheus:9090', 'prometheus-ca-file': '/nonexistent/ca.crt' }),
      ),
    ).rejects.toThrow(/^--prometheus-ca-file: cannot read \/nonexistent\/ca.crt/);
  });
});
