import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';

/**
 * A real scrape target for the tests' Prometheus: an HTTP server on 127.0.0.1 exposing gauges in
 * the Prometheus text format (prom-client), whose values the test sets.
 */
export class MetricsTarget {
  /** `collector_test_temperature_celsius`: one series. */
  readonly temperature: Gauge;
  /** `collector_test_queue_length{queue}`: one series per queue. */
  readonly queueLength: Gauge<'queue'>;
  /** `collector_test_level`: one series, for tests that change a value while collecting. */
  readonly level: Gauge;

  private constructor(
    readonly registry: Registry,
    private readonly server: Server,
    readonly port: number,
  ) {
    this.temperature = new Gauge({
      name: 'collector_test_temperature_celsius',
      help: 'A temperature the test sets.',
      registers: [registry],
    });
    this.queueLength = new Gauge({
      name: 'collector_test_queue_length',
      help: 'Queue lengths the test sets.',
      labelNames: ['queue'],
      registers: [registry],
    });
    this.level = new Gauge({
      name: 'collector_test_level',
      help: 'A level the test changes.',
      registers: [registry],
    });
  }

  static async start(): Promise<MetricsTarget> {
    const registry = new Registry();
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
    return new MetricsTarget(registry, server, address.port);
  }

  /** `127.0.0.1:<port>`, as a scrape config names it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
