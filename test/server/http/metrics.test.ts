import { Http2Client } from '../support/http2-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The series of apiserver_request_total, one line each. */
async function requestSeries(t: TestServer): Promise<string[]> {
  const text = (await t.request('GET', '/metrics')).text;
  return text.split('\n').filter((line) => line.startsWith('apiserver_request_total{'));
}

describe('request metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('take no label values from the client: unknown groups, resources, versions and methods add no series', async () => {
    await t.request('GET', '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots');
    const before = await requestSeries(t);
    const h2 = new Http2Client(t);
    try {
      for (let i = 0; i < 50; i++) {
        await t.request('GET', `/apis/group${i}.example.com/v1/namespaces/default/things${i}`);
        await t.request('GET', `/apis/metrics.example.com/v${i}x/namespaces/default/metricsnapshots`);
        await h2.request(`METHOD${i}`, '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots');
      }
    } finally {
      h2.close();
    }
    const after = await requestSeries(t);
    const added = after.filter((line) => !before.some((old) => old.split(' ')[0] === line.split(' ')[0]));
    // At most one series per status code for "unknown", whatever was asked.
    expect(added.length).toBeLessThanOrEqual(4);
    expect(after.join('\n')).not.toMatch(/group\d+|things\d+|METHOD\d+|v\d+x/);
    expect(after.join('\n')).toMatch(
      /verb="LIST",group="metrics.example.com",version="v1",resource="metricsnapshots"/,
    );
  });
});
