import type { ObjectMeta } from '../../../lib/core/index.js';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeedChart } from '../../../apps/cdk8s/seed-chart.js';
import { deploymentEnvironment } from '../../../apps/support/deployment-environment.js';
import { AggregatedApiServer, type AggregatedApiServerProps } from '../../../lib/cdk8s/index.js';
import { metricSnapshot } from './definitions.js';

/** A synthesized object, with wire field names (typed loosely through T). */
export type Synthesized<T = Record<string, unknown>> = T & {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
};

/** The DNS names of the Service of a server named custom-apiserver: what its serving certificate must cover. */
export const SERVICE_NAMES = [
  'custom-apiserver.custom-apiserver.svc',
  'custom-apiserver.custom-apiserver',
  'custom-apiserver.custom-apiserver.svc.cluster.local',
];

const created: string[] = [];

/** A fresh key store directory under the OS temp dir (removed by cleanupTempDirs). */
export function tempDir(prefix = 'aggregated-apiserver-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir created; call from afterAll. */
export function cleanupTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Options of synthServer. */
export interface SynthOptions {
  /** Namespace of the Chart (cdk8s stamps it onto objects that have none). */
  readonly chartNamespace?: string;
  /** Construct id of the server. */
  readonly id?: string;
  /** Wrap the server in intermediate constructs with these ids. */
  readonly path?: readonly string[];
}

/**
 * GIVEN props (the construct's defaults: self-managed TLS; a temp key store is added for
 * generated TLS unless given), WHEN synthesized in a
 * Testing chart, returns the objects and the construct. Key store messages are collected.
 */
export function synthServer(
  props: Partial<AggregatedApiServerProps>,
  options: SynthOptions = {},
): { objects: Synthesized[]; server: AggregatedApiServer; chart: Chart; logs: string[] } {
  const app = Testing.app();
  const chart = options.chartNamespace
    ? new Chart(app, 'test', { namespace: options.chartNamespace })
    : Testing.chart();
  let scope: Construct = chart;
  for (const id of options.path ?? []) scope = new Construct(scope, id);
  const logs: string[] = [];
  const tls = props.tls;
  const server = new AggregatedApiServer(scope, options.id ?? 'Server', {
    name: 'custom-apiserver',
    resources: [metricSnapshot],
    logger: (m) => logs.push(m),
    ...props,
    tls: tls?.mode === 'generated' ? { ...tls, keyStoreDir: tls.keyStoreDir ?? tempDir() } : tls,
  });
  return { objects: Testing.synth(chart) as Synthesized[], server, chart, logs };
}

/** GIVEN an environment, WHEN the example app (apps/cdk8s) is synthesized, returns its objects. */
export function synthSeed(env: Record<string, string>): Synthesized[] {
  const chart = new SeedChart(Testing.app(), 'custom-apiserver', {
    ...deploymentEnvironment({ AGGREGATED_APISERVER_PKI_DIR: tempDir(), ...env }),
    logger: () => undefined,
  });
  return Testing.synth(chart) as Synthesized[];
}

/** The objects of a kind (optionally by name). */
export function all<T = Record<string, unknown>>(
  objects: readonly Synthesized[],
  kind: string,
): Synthesized<T>[] {
  return objects.filter((o) => o.kind === kind) as Synthesized<T>[];
}

/** The one object of a kind (and name); fails the test if there is not exactly one. */
export function one<T = Record<string, unknown>>(
  objects: readonly Synthesized[],
  kind: string,
  name?: string,
): Synthesized<T> {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  }
  return found[0] as Synthesized<T>;
}
