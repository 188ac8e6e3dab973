import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The collector's figures on /metrics. */
export class CollectorMetrics {
  /** Every collection that ran to the end, whatever its outcome. */
  readonly collections: Counter<'source'>;
  /** Collections that did not read every metric, by the reason of the Ready condition. */
  readonly failures: Counter<'source' | 'reason'>;
  /** How long each query to a source took. */
  readonly queryDuration: Histogram<'source'>;
  /** The snapshots the collector follows. */
  readonly tracked: Gauge;

  constructor(registry: Registry) {
    this.collections = new Counter({
      name: 'metricsnapshot_collections_total',
      help: 'Number of MetricSnapshot collections, by source.',
      labelNames: ['source'],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'metricsnapshot_collection_failures_total',
      help: 'Number of MetricSnapshot collections that did not read every metric, by source and reason.',
      labelNames: ['source', 'reason'],
      registers: [registry],
    });
    this.queryDuration = new Histogram({
      name: 'metricsnapshot_query_duration_seconds',
      help: 'Duration of one query to a MetricSnapshot source in seconds, by source.',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.tracked = new Gauge({
      name: 'metricsnapshot_snapshots_tracked',
      help: 'Number of MetricSnapshots the collector follows.',
      registers: [registry],
    });
  }
}
