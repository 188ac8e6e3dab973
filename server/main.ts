#!/usr/bin/env node
/**
 * The stock server (the image's entry): MetricSnapshot, collected from Prometheus
 * (`--prometheus-url`), plus any declarative resources the constructs hand it in a ConfigMap
 * (`--resource-definitions`). A server entry of your own is the same few lines with your
 * definitions and controllers.
 */
import { metricSnapshot } from '../resources/metricsnapshot/index.js';
import { MetricSnapshotCollector } from './collector/metricsnapshot-collector.js';
import { prometheusSource } from './collector/sources/prometheus-source.js';
import { runApiServer } from './run-api-server.js';

await runApiServer({
  resources: [metricSnapshot],
  controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [prometheusSource] })],
});
