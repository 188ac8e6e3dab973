import type { UserId } from '../environment/bench-cluster.js';
import type { TargetId } from '../targets/target.js';
import type { BenchResults } from './results.js';

/** One bar series of a panel. */
interface Series {
  readonly label: string;
  readonly color: string;
  value(workload: string): number | undefined;
}

interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

const ROW_HEIGHT = 34;
const LABEL_WIDTH = 260;
const PLOT_WIDTH = 560;
const LEGEND_WIDTH = 240;
const WIDTH = LABEL_WIDTH + PLOT_WIDTH + LEGEND_WIDTH;
const PANEL_HEADER = 44;
const AXIS_HEIGHT = 28;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Tick labels of the log2 axis: 1/8x, 1/2x, 1x, 4x. */
function tickLabel(exponent: number): string {
  return exponent < 0 ? `1/${2 ** -exponent}x` : `${2 ** exponent}x`;
}

function formatRatio(ratio: number): string {
  if (ratio >= 10) return `${ratio.toFixed(0)}x`;
  if (ratio >= 0.1) return `${ratio.toFixed(2)}x`;
  return `${ratio.toPrecision(2)}x`;
}

/**
 * The ratios as an SVG bar chart: throughput of this server over sample-apiserver's, and of
 * every server over the ceiling's, per workload, on a log scale with 1x marked.
 */
export function ratioChart(results: BenchResults): string {
  const workloads = [...new Map(results.throughput.map((e) => [e.workload, e.title])).entries()];
  const ratio =
    (target: TargetId, user: UserId, key: 'throughputToGo' | 'throughputToCeiling') =>
    (workload: string): number | undefined =>
      results.ratios.find((r) => r.workload === workload && r.target === target && r.user === user)?.[key];
  const users = [...new Set(results.throughput.map((e) => e.user))];
  const firstUser = users[0] ?? 'admin';
  const userLabel = (user: UserId): string => (user === 'admin' ? 'system:masters' : 'non-admin');
  const panels: Panel[] = [
    {
      title: 'Throughput of this server / sample-apiserver (higher is better)',
      series: users.flatMap((user, u) => [
        {
          label: `embedded store, ${userLabel(user)}`,
          color: ['#1f77b4', '#6baed6'][u],
          value: ratio('embedded', user, 'throughputToGo'),
        },
        {
          label: `etcd, ${userLabel(user)}`,
          color: ['#ff7f0e', '#fdae6b'][u],
          value: ratio('etcd', user, 'throughputToGo'),
        },
      ]),
    },
    {
      title: `Throughput / bare Node HTTP/2 ceiling (${userLabel(firstUser)})`,
      series: [
        {
          label: 'this server, embedded',
          color: '#1f77b4',
          value: ratio('embedded', firstUser, 'throughputToCeiling'),
        },
        {
          label: 'this server, etcd',
          color: '#ff7f0e',
          value: ratio('etcd', firstUser, 'throughputToCeiling'),
        },
        {
          label: 'sample-apiserver',
          color: '#2ca02c',
          value: ratio('sample-apiserver', firstUser, 'throughputToCeiling'),
        },
      ],
    },
  ].map((panel) => ({
    ...panel,
    series: panel.series.filter((s) => workloads.some(([w]) => s.value(w) !== undefined)),
  }));

  const values = panels.flatMap((p) => p.series.flatMap((s) => workloads.map(([w]) => s.value(w))));
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const low = Math.min(0.5, ...finite);
  const high = Math.max(2, ...finite);
  const minExp = Math.floor(Math.log2(low));
  const maxExp = Math.ceil(Math.log2(high));
  const x = (v: number): number => LABEL_WIDTH + ((Math.log2(v) - minExp) / (maxExp - minExp)) * PLOT_WIDTH;

  const parts: string[] = [];
  let top = 10;
  for (const panel of panels) {
    if (panel.series.length === 0) continue;
    const rowHeight = Math.max(ROW_HEIGHT, panel.series.length * 7 + 8);
    const height = workloads.length * rowHeight;
    parts.push(
      `<text x="10" y="${top + 22}" ${FONT} font-size="15" font-weight="bold">${escape(panel.title)}</text>`,
    );
    const plotTop = top + PANEL_HEADER;
    for (let e = minExp; e <= maxExp; e++) {
      const tick = 2 ** e;
      const tx = x(tick);
      const one = e === 0;
      parts.push(
        `<line x1="${tx}" y1="${plotTop}" x2="${tx}" y2="${plotTop + height}" stroke="${one ? '#000' : '#ddd'}" stroke-width="${one ? 1.5 : 1}"/>`,
        `<text x="${tx}" y="${plotTop + height + 16}" ${FONT} font-size="11" text-anchor="middle">${escape(tickLabel(e))}</text>`,
      );
    }
    workloads.forEach(([workload, title], row) => {
      const rowTop = plotTop + row * rowHeight;
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${rowTop + rowHeight / 2 + 4}" ${FONT} font-size="12" text-anchor="end">${escape(title)}</text>`,
      );
      const barHeight = (rowHeight - 8) / panel.series.length;
      panel.series.forEach((series, s) => {
        const value = series.value(workload);
        if (value === undefined || !(value > 0)) return;
        const from = x(2 ** minExp);
        const y = rowTop + 4 + s * barHeight;
        parts.push(
          `<rect x="${from}" y="${y}" width="${Math.max(1, x(value) - from)}" height="${barHeight - 1}" fill="${series.color}"><title>${escape(`${series.label}: ${formatRatio(value)}`)}</title></rect>`,
        );
      });
    });
    panel.series.forEach((series, s) => {
      const ly = plotTop + s * 18;
      parts.push(
        `<rect x="${LABEL_WIDTH + PLOT_WIDTH + 16}" y="${ly}" width="12" height="12" fill="${series.color}"/>`,
        `<text x="${LABEL_WIDTH + PLOT_WIDTH + 34}" y="${ly + 10}" ${FONT} font-size="11">${escape(series.label)}</text>`,
      );
    });
    top = plotTop + height + AXIS_HEIGHT + 10;
  }
  const footer = `${results.date.slice(0, 10)}, ${results.mode} run; log scale, 1x = parity. See BENCHMARKS.md.`;
  parts.push(`<text x="10" y="${top + 8}" ${FONT} font-size="11" fill="#555">${escape(footer)}</text>`);
  const totalHeight = top + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${totalHeight}" viewBox="0 0 ${WIDTH} ${totalHeight}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
