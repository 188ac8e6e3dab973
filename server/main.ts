#!/usr/bin/env node
/**
 * The stock server (the image's entry): MetricSnapshot, plus any declarative resources the
 * constructs hand it in a ConfigMap (`--resource-definitions`). A server entry of your own is
 * the same few lines with your definitions.
 */
import { metricSnapshot } from '../resources/metricsnapshot/index.js';
import { runApiServer } from './run-api-server.js';

await runApiServer({ resources: [metricSnapshot] });
