import { relative, dirname } from 'node:path';
import { USERS, type UserId } from '../environment/bench-cluster.js';
import { TARGET_TITLES, type TargetId } from '../targets/target.js';
import type { BenchResults, ThroughputEntry } from './results.js';

const SERVERS: readonly TargetId[] = ['embedded', 'etcd', 'sample-apiserver'];

const number = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? '–' : n >= 100 ? number(n) : n >= 10 ? number(n, 1) : number(n, 2);
const ratio = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n)
    ? '–'
    : n >= 10
      ? `${number(n, 0)}x`
      : n >= 0.1
        ? `${number(n, 2)}x`
        : `${n.toPrecision(2)}x`;
const cores = (n: number | undefined): string =>
  n === undefined || !Number.isFinite(n) ? '–' : `${number(n * 100)} %`;
const mib = (bytes: number | undefined): string =>
  bytes === undefined ? '–' : `${number(bytes / 2 ** 20, 0)} MiB`;
const seconds = (millis: number | undefined): string =>
  millis === undefined ? '–' : `${number(millis / 1000, 1)} s`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string): string => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => {
    if (cells.length !== header.length)
      throw new Error(`a row of ${cells.length} cells under ${header.length} headings`);
    return `| ${cells.map(cell).join(' | ')} |`;
  };
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The ceiling's entry for a workload (measured once, with whichever user ran first). */
function ceilingOf(results: BenchResults, workload: string): ThroughputEntry | undefined {
  return results.throughput.find((e) => e.workload === workload && e.target === 'ceiling');
}

function ratiosTable(results: BenchResults, user: UserId): string {
  const workloads = [...new Map(results.throughput.map((e) => [e.workload, e.title])).entries()];
  const r = (workload: string, target: TargetId) =>
    results.ratios.find((x) => x.workload === workload && x.user === user && x.target === target);
  return table(
    [
      'workload',
      'embedded ÷ Go',
      'etcd ÷ Go',
      'p99 embedded ÷ Go',
      'p99 etcd ÷ Go',
      'embedded ÷ ceiling',
      'etcd ÷ ceiling',
      'Go ÷ ceiling',
    ],
    workloads.map(([workload, title]) => [
      title,
      ratio(r(workload, 'embedded')?.throughputToGo),
      ratio(r(workload, 'etcd')?.throughputToGo),
      ratio(r(workload, 'embedded')?.p99ToGo),
      ratio(r(workload, 'etcd')?.p99ToGo),
      ratio(r(workload, 'embedded')?.throughputToCeiling),
      ratio(r(workload, 'etcd')?.throughputToCeiling),
      ratio(r(workload, 'sample-apiserver')?.throughputToCeiling),
    ]),
  );
}

function detailTable(results: BenchResults, user: UserId): string {
  const rows: string[][] = [];
  const workloads = [...new Set(results.throughput.map((e) => e.workload))];
  for (const workload of workloads) {
    const entries = [
      ...SERVERS.map((t) =>
        results.throughput.find((e) => e.workload === workload && e.user === user && e.target === t),
      ),
      ceilingOf(results, workload),
    ].filter((e): e is ThroughputEntry => e !== undefined);
    for (const entry of entries) {
      const m = entry.median;
      const list = entry.itemsPerRequest > 1;
      rows.push([
        entry.title,
        TARGET_TITLES[entry.target],
        number(m.throughput),
        list ? number(m.throughput * entry.itemsPerRequest) : '',
        ms(m.p50Ms),
        ms(m.p99Ms),
        number(m.bytesPerResponse),
        cores(m.serverCores),
        cores(m.loadGeneratorCores),
        m.errors ? number(m.errors) : '0',
      ]);
    }
  }
  return table(
    [
      'workload',
      'target',
      'req/s',
      'objects/s',
      'p50 ms',
      'p99 ms',
      'bytes/answer',
      'server CPU',
      'load generator CPU',
      'errors',
    ],
    rows,
  );
}

function watchTable(results: BenchResults): string {
  const go = (user: UserId) => results.watch.find((w) => w.user === user && w.target === 'sample-apiserver');
  return table(
    [
      'user',
      'target',
      'watchers',
      'p50 from ack',
      'p99 from ack',
      'p99 ÷ Go',
      'p50 / p99 from send',
      'write p50',
      'missing',
      'opens retried after 429',
      'server CPU',
      'load generator CPU',
    ],
    results.watch.map((w) => [
      w.target === 'ceiling' ? '–' : USERS[w.user].title,
      TARGET_TITLES[w.target],
      number(w.watchers),
      `${ms(w.median.p50FromAckMs)} ms`,
      `${ms(w.median.p99FromAckMs)} ms`,
      w.target === 'sample-apiserver' || w.target === 'ceiling'
        ? ''
        : ratio(w.median.p99FromAckMs / (go(w.user)?.median.p99FromAckMs ?? Number.NaN)),
      `${ms(w.median.p50FromSendMs)} / ${ms(w.median.p99FromSendMs)} ms`,
      `${ms(w.median.writeP50Ms)} ms`,
      number(w.missing),
      number(w.throttled),
      cores(w.serverCores),
      cores(w.loadGeneratorCores),
    ]),
  );
}

function memoryTable(results: BenchResults): string {
  const sizes = [...new Set(results.memory.map((m) => m.objects))].sort((a, b) => a - b);
  const rss = (target: TargetId, objects: number | undefined) =>
    results.memory.find((m) => m.target === target && m.objects === objects)?.rssBytes;
  const perObject = (target: TargetId): number | undefined => {
    const [a, b] = [rss(target, sizes[0]), rss(target, sizes[1])];
    return a !== undefined && b !== undefined && sizes.length === 2
      ? (b - a) / (sizes[1] - sizes[0])
      : undefined;
  };
  const ready = (target: TargetId) => results.readiness.find((r) => r.target === target);
  const targets = SERVERS.filter((t) => results.memory.some((m) => m.target === t));
  const goReady = ready('sample-apiserver');
  return table(
    [
      'target',
      ...sizes.map((s) => `RSS with ${number(s)} objects`),
      'bytes per object',
      '÷ Go',
      `ready with ${number(sizes[1])} (/readyz)`,
      'first list page',
      '÷ Go',
    ],
    targets.map((t) => [
      TARGET_TITLES[t],
      ...sizes.map((s) => mib(rss(t, s))),
      number(perObject(t)),
      t === 'sample-apiserver'
        ? ''
        : ratio((perObject(t) ?? Number.NaN) / (perObject('sample-apiserver') ?? Number.NaN)),
      seconds(ready(t)?.median.readyMs),
      seconds(ready(t)?.median.firstPageMs),
      t === 'sample-apiserver'
        ? ''
        : ratio((ready(t)?.median.firstPageMs ?? Number.NaN) / (goReady?.median.firstPageMs ?? Number.NaN)),
    ]),
  );
}

/** BENCHMARKS.md: how the run was made, the ratios, then every figure. */
export function benchmarkReport(
  results: BenchResults,
  reportFile: string,
  chartFile: string,
  jsonFile: string,
): string {
  const m = results.machine;
  const link = (file: string): string => relative(dirname(reportFile), file) || file;
  const users = [...new Set(results.throughput.map((e) => e.user))];
  const s = results.settings;
  const errors = results.throughput.filter((e) => e.median.errors > 0);
  const sections: string[] = [
    '# Benchmarks',
    '',
    `Measured on ${results.date.slice(0, 10)} (${results.mode} run, ${number(results.seconds / 60, 0)} min) by ` +
      '`npm run bench` (see [bench/](bench/) and the README). Generated; do not edit by hand: run the ' +
      `benchmark again, or \`npm run bench -- --from-results ${link(jsonFile)}\` to re-render. ` +
      `Machine-readable results: [${link(jsonFile)}](${link(jsonFile)}).`,
    '',
    `**Machine:** ${m.cpuModel}, ${m.cores} cores, ${number(m.memoryGiB)} GiB, Linux ${m.kernel}, Node ${m.node}, ` +
      `sample-apiserver built with ${m.go}. Load average ${number(m.loadAverage.start, 1)} at the start, ` +
      `${number(m.loadAverage.end, 1)} at the end.${m.note ? ` ${m.note}` : ''}`,
    '',
    `**Placement:** every server under test on CPU ${m.cpus.server || '(unpinned)'}, the load generator on CPU ` +
      `${m.cpus.client || '(unpinned)'}, etcd and kube-apiserver ${m.cpus.others ? `on CPU ${m.cpus.others}` : 'unpinned'} ` +
      '(`taskset`). All targets run at the same time and are measured in turn, workload by workload, so a change ' +
      "in the machine's load hits them alike; read the ratios rather than the absolute figures.",
    '',
    `**Settings:** ${Object.entries(s)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('/') : String(v)}`)
      .join(', ')}.`,
    '',
    `![Ratios](${link(chartFile)})`,
    '',
    '## What is compared',
    '',
    table(
      ['target', 'serves', 'GET answer', 'notes'],
      results.targets.map((t) => [
        TARGET_TITLES[t.id],
        t.resource,
        t.objectBytes ? `${number(t.objectBytes)} bytes` : '–',
        t.notes,
      ]),
    ),
    '',
    "Both servers are reached the way the aggregator reaches them: TLS, HTTP/2, the front proxy's client " +
      'certificate and `X-Remote-User` / `X-Remote-Group` headers, once as a member of `system:masters` (authorized ' +
      'without asking anybody) and once as a non-admin user whom RBAC allows (a SubjectAccessReview to ' +
      'kube-apiserver, whose answer both servers cache for 10 s). One load generator (Node HTTP/2, worker threads, ' +
      'closed loop: each stream sends its next request when the last is answered) drives every target and reports ' +
      "its own CPU use next to the server's: a load generator well below 100 % of its core was not the bottleneck.",
    '',
    '**Differences that remain:** sample-apiserver runs API priority and fairness (on by default: the non-admin ' +
      "user's requests share the `global-default` priority level's seats, lists cost several seats), while this " +
      'server limits requests in flight; its admission chain (NamespaceLifecycle, the webhook and policy plugins, ' +
      "BanFlunder) is longer than this server's (namespace lifecycle); it answers Tables with the default columns " +
      '(name, age) where MetricSnapshots have their own; both store JSON in etcd. Flunders are padded with an ' +
      'annotation so that a GET answers as many bytes as a MetricSnapshot GET; the bytes per answer of every ' +
      'workload are in the tables. Go sets GOMAXPROCS to the one CPU it may use; Node runs its event loop, GC and ' +
      'libuv threads on that same CPU. The ceiling answers every request with the bytes this server answered for ' +
      'the same workload (every page of a paged list is the first page; a watched write is sent to every watch as ' +
      'it arrives) and does nothing else.',
    '',
  ];
  for (const user of users) {
    sections.push(
      `## Ratios, as ${USERS[user].title}`,
      '',
      'Throughput ratios (> 1x: this server is faster) and p99 latency ratios (< 1x: this server is better), ' +
        'medians of the repetitions.',
      '',
      ratiosTable(results, user),
      '',
    );
  }
  for (const user of users) {
    sections.push(`## Throughput and latency, as ${USERS[user].title}`, '', detailTable(results, user), '');
  }
  if (results.watch.length) {
    sections.push(
      '## Watch fan-out',
      '',
      `${number(results.watch[0].watchers)} watches of one namespace; ${number(results.watch[0].eventsPerRound)} creates ` +
        `one after another per round, one round per repetition. Delivery latency runs from the moment the create's ` +
        'answer arrived (negative: the event came first) to the moment the event arrived at each watch (its line ' +
        'complete; the load generator parses the lines after the round, so its own work is not in the figure); medians over ' +
        'rounds. A server that answers the write only once the event is on its way to every watch makes "from ack" ' +
        'short (even negative) and the write slow: read it with "from send" and the write latency. A watch answered ' +
        '429 Too Many Requests (priority and fairness turning away a burst of watches from one user) is opened ' +
        'again after its Retry-After, as client-go does.',
      '',
      watchTable(results),
      '',
    );
  }
  if (results.memory.length) {
    sections.push(
      '## Memory and start-up',
      '',
      'Resident memory (VmRSS) of the server process after loading the objects through the API and idling ' +
        `${number(Number(s.settleMs) / 1000, 0)} s; bytes per object is the growth between the two sizes. Start-up: ` +
        'a restart with the larger number of objects stored, from spawn until `/readyz` answers 200, and until ' +
        'the first page (limit=500) of a list over all namespaces is served. Go returns freed heap to the system ' +
        "lazily (GOGC=100, no GOMEMLIMIT), so its resident memory includes garbage, as Node's does; both servers " +
        'answer reads from the backend until their watch cache is filled (KEP-4568), so a first page does not wait ' +
        'for the cache.',
      '',
      memoryTable(results),
      '',
    );
  }
  if (results.failures.length) {
    sections.push(
      '## Failed measurements',
      '',
      'These measurements did not complete; their figures are missing above.',
      '',
      ...results.failures.map((failure) => `- ${failure.replace(/\s+/g, ' ')}`),
      '',
    );
  }
  if (errors.length) {
    sections.push(
      '## Errors',
      '',
      'Answers other than the expected status, summed over the repetitions (the figures above count only the ' +
        'expected answers). `NGHTTP2_ENHANCE_YOUR_CALM` is a stream the server refused because its HTTP/2 session ' +
        "held more unsent data than its limit (Node's `maxSessionMemory`, 10 MB by default); a 409 on a create " +
        'with generateName is a generated name that was taken (kube-apiserver retries those).',
      '',
      table(
        ['workload', 'user', 'target', 'errors', 'first'],
        errors.map((e) => [
          e.title,
          e.user,
          TARGET_TITLES[e.target],
          number(e.median.errors),
          e.runs.find((r) => r.firstError)?.firstError ?? '',
        ]),
      ),
      '',
    );
  }
  return sections.join('\n');
}
