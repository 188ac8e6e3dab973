/**
 * `npm run bench`: this server (embedded store and etcd), k8s.io/sample-apiserver and a bare
 * Node HTTP/2 server, side by side under the same load, with kube-apiserver for delegated
 * authentication and authorization. Writes results.json, ratios.svg and BENCHMARKS.md.
 * `npm run bench -- --help` lists the options; `--small` is the CI-sized run.
 *
 * Run it alone on the machine (`flock /tmp/heavy.lock npm run bench`): the figures are only
 * worth their ratios, and those only when nothing else competes for the pinned cores.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { ProcessGroup } from '../test/e2e/support/processes.js';
import { BenchContext, log } from './bench-context.js';
import { startBenchCluster, type BenchCluster } from './environment/bench-cluster.js';
import {
  ensureKubernetesTools,
  ensureServerBuilt,
  goVersionOf,
  machineBasics,
  sampleApiServerBinary,
} from './environment/tools.js';
import { LoadGeneratorProcess } from './load/load-generator-process.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { runMemoryPhase } from './phases/memory-phase.js';
import { GET_OBJECT_NAME, matchObjectSize, objectBytes } from './phases/object-size.js';
import { runThroughputPhase } from './phases/throughput-phase.js';
import { runWatchPhase } from './phases/watch-phase.js';
import { ratioChart } from './report/chart.js';
import { benchmarkReport } from './report/markdown.js';
import { ratios, type BenchResults } from './report/results.js';
import { CeilingTarget } from './targets/ceiling.js';
import { startSampleApiServer } from './targets/sample-apiserver.js';
import { metricSnapshots, flunders, PADDING_ANNOTATION } from './targets/served-resource.js';
import type { ServerTarget } from './targets/server-target.js';
import { TARGET_TITLES, type TargetId } from './targets/target.js';
import type { TargetEnvironment } from './targets/target-environment.js';
import { BUILT_SERVER, startThisServer } from './targets/this-server.js';
import { NAMESPACES, throughputWorkloads, type SeedSet } from './workloads.js';

type ServerId = Exclude<TargetId, 'ceiling'>;
const SERVER_IDS: readonly ServerId[] = ['embedded', 'etcd', 'sample-apiserver'];

async function writeOutputs(results: BenchResults, options: BenchOptions): Promise<void> {
  mkdirSync(options.outDir, { recursive: true });
  const jsonFile = join(options.outDir, 'results.json');
  const chartFile = join(options.outDir, 'ratios.svg');
  // Formatted as the repository formats JSON, so that committed results pass `npm run lint`.
  const prettierOptions = (await prettier.resolveConfig(jsonFile)) ?? {};
  writeFileSync(
    jsonFile,
    await prettier.format(JSON.stringify(results), { ...prettierOptions, parser: 'json' }),
  );
  writeFileSync(chartFile, ratioChart(results));
  writeFileSync(options.reportFile, benchmarkReport(results, options.reportFile, chartFile, jsonFile));
  log(`wrote ${jsonFile}, ${chartFile} and ${options.reportFile}`);
}

function targetNotes(id: TargetId, padding: number, kubernetesVersion: string): string {
  switch (id) {
    case 'embedded':
      return 'SQLite in a data directory, watch cache in front';
    case 'etcd':
      return 'its own etcd 3.6 (no fsync), watch cache in front';
    case 'sample-apiserver':
      return (
        `k8s.io/sample-apiserver ${kubernetesVersion.replace(/^v1\./, 'v0.')}, built from the Go module proxy; its own ` +
        `etcd 3.6 (no fsync); watch cache, priority and fairness and admission as by default; ${padding} bytes ` +
        `of padding in a \`${PADDING_ANNOTATION}\` annotation`
      );
    case 'ceiling':
      return 'node:http2 secure server with the same certificate, answering recorded bytes';
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const options = parseBenchOptions(argv, process.env, () =>
    mkdtempSync(join(tmpdir(), 'aggregated-apiserver-bench-')),
  );
  if (options.fromResults) {
    await writeOutputs(JSON.parse(readFileSync(options.fromResults, 'utf8')) as BenchResults, options);
    return;
  }
  const started = performance.now();
  const startLoad = loadavg()[0];
  const kubernetesVersion =
    /KUBERNETES_VERSION=(\S+)/.exec(readFileSync('scripts/k8s-tools.env', 'utf8'))?.[1] ?? '';
  const servers = SERVER_IDS.filter((id) => options.targets.includes(id));
  if (options.targets.includes('ceiling') && !servers.some((id) => id !== 'sample-apiserver'))
    throw new Error(
      'the ceiling answers with bytes recorded from this server: add embedded or etcd to --targets',
    );

  ensureKubernetesTools();
  const sampleBinary = servers.includes('sample-apiserver') ? sampleApiServerBinary() : '';
  if (servers.includes('embedded') || servers.includes('etcd'))
    ensureServerBuilt(BUILT_SERVER, options.build);

  const workDir = mkdtempSync(join(tmpdir(), 'aggregated-apiserver-bench-work-'));
  const logsDir = mkdtempSync(join(tmpdir(), 'aggregated-apiserver-bench-logs-'));
  const group = new ProcessGroup(logsDir, workDir, [workDir]);
  log(`starting kube-apiserver (logs of the servers under test in ${logsDir})`);
  let cluster: BenchCluster | undefined;
  let loadGenerator: LoadGeneratorProcess | undefined;
  let failed = true;
  try {
    cluster = await startBenchCluster(workDir, Object.values(NAMESPACES), options.cpus.others);
    loadGenerator = LoadGeneratorProcess.start(options.cpus.client);
    const context = new BenchContext(options, cluster, loadGenerator);
    const environment: TargetEnvironment = {
      cluster,
      group,
      workDir,
      cpus: options.cpus,
      cpuProfileDir: options.cpuProfileDir,
    };
    const start = (id: ServerId): Promise<ServerTarget> =>
      id === 'sample-apiserver'
        ? startSampleApiServer(environment, sampleBinary)
        : startThisServer(environment, id);

    const workloads = throughputWorkloads(options).filter((w) => context.selected(w.id));
    const seeds = new Map<string, SeedSet>();
    for (const set of [
      { namespace: NAMESPACES.get, namePrefix: 'object-', count: 1 },
      ...workloads.flatMap((w) => w.seeds),
    ])
      seeds.set(`${set.namespace}/${set.namePrefix}`, set);

    // Everything runs at once, then each workload visits every target in turn.
    const running: ServerTarget[] = [];
    let referenceBytes: number | undefined;
    let padding = 0;
    const objectSizes = new Map<TargetId, number>();
    let ceiling: CeilingTarget | undefined;
    try {
      for (const id of servers) {
        log(`starting ${TARGET_TITLES[id]}`);
        const target = await start(id);
        running.push(target);
        if (id === 'sample-apiserver' && referenceBytes !== undefined)
          padding = await matchObjectSize(context, target, referenceBytes);
        for (const set of seeds.values()) await context.seed(target, set);
        const bytes = await objectBytes(context, target, GET_OBJECT_NAME);
        objectSizes.set(id, bytes);
        referenceBytes ??= id === 'sample-apiserver' ? undefined : bytes;
      }
      if (options.targets.includes('ceiling')) {
        ceiling = await CeilingTarget.start(environment, metricSnapshots);
        if (referenceBytes !== undefined) objectSizes.set('ceiling', referenceBytes);
      }
      const throughput = await runThroughputPhase(context, running, ceiling, workloads);
      const watch = context.selected('watch') ? await runWatchPhase(context, running, ceiling) : [];
      for (const target of running.splice(0)) await target.stop();
      await ceiling?.stop();
      ceiling = undefined;

      const { memory, readiness } = context.selected('memory')
        ? await runMemoryPhase(context, servers, async (id) => {
            const target = await start(id);
            if (id === 'sample-apiserver') target.resource = flunders(padding);
            return target;
          })
        : { memory: [], readiness: [] };

      const basics = machineBasics();
      const results: BenchResults = {
        date: new Date().toISOString(),
        mode: options.small ? 'small' : 'full',
        machine: {
          cpuModel: basics.cpuModel,
          cores: basics.cores,
          memoryGiB: basics.memoryGiB,
          kernel: basics.kernel,
          node: basics.node,
          go: sampleBinary ? goVersionOf(sampleBinary) : '–',
          loadAverage: { start: startLoad, end: basics.load },
          cpus: options.cpus,
          note: options.machineNote,
        },
        settings: {
          repetitions: options.repetitions,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          lists: [options.listSmall, options.listLarge],
          pageSize: options.pageSize,
          'concurrency (reads, lists, writes)': ['4x16', '2x4', '2x8'],
          watchers: options.watchers,
          watchEvents: options.watchEvents,
          watchIntervalMs: options.watchIntervalMs,
          memorySizes: options.memorySizes,
          settleMs: options.settleMs,
          readyRepetitions: options.readyRepetitions,
        },
        targets: options.targets.map((id) => ({
          id,
          title: TARGET_TITLES[id],
          resource:
            id === 'sample-apiserver'
              ? 'Flunder (wardle.example.com/v1alpha1)'
              : 'MetricSnapshot (metrics.example.com/v1)',
          objectBytes: objectSizes.get(id),
          notes: targetNotes(id, padding, kubernetesVersion),
        })),
        throughput,
        watch,
        memory,
        readiness,
        ratios: ratios(throughput),
        failures: context.failures,
        seconds: (performance.now() - started) / 1000,
      };
      await writeOutputs(results, options);
      if (context.failures.length)
        throw new Error(`${context.failures.length} measurements failed (see above)`);
      failed = false;
    } finally {
      for (const target of running) await target.stop().catch(() => undefined);
      await ceiling?.stop().catch(() => undefined);
    }
  } finally {
    await loadGenerator?.stop();
    await group.stopAll();
    await cluster?.stop(failed);
    rmSync(workDir, { recursive: true, force: true });
    if (failed) log(`logs kept in ${logsDir}`);
    else rmSync(logsDir, { recursive: true, force: true });
  }
}

// An interrupted run exits through the 'exit' listeners, which kill every process it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
