import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { flagTypes, FlagError } from '../../options/flag-parser.js';
import type { Logger } from '../../util/logger.js';
import {
  MetricReadError,
  ReadFailure,
  type MetricSource,
  type MetricSourcePlugin,
  type ReadOptions,
} from '../metric-source.js';

const urlFlag = flagTypes.string(
  'prometheus-url',
  '',
  'The Prometheus HTTP API that MetricSnapshots with source "prometheus" read from, e.g. http://prometheus.monitoring.svc:9090. Empty: they report SourceNotConfigured.',
);
const bearerTokenFileFlag = flagTypes.string(
  'prometheus-bearer-token-file',
  '',
  'A file holding a bearer token to send to Prometheus, read for every query (projected tokens rotate).',
);
const caFileFlag = flagTypes.string(
  'prometheus-ca-file',
  '',
  "The CA bundle Prometheus' serving certificate must chain to (https URLs). Empty: the system's roots.",
);

/** The largest answer read: one number never needs more; a query that selects everything does. */
const maxAnswerBytes = 1 << 20;
/** How many series a SeveralSeries message names. */
const seriesShown = 3;

export interface PrometheusSourceOptions {
  /** The base URL of the HTTP API, e.g. `http://prometheus:9090` (a path prefix is kept). */
  readonly url: string;
  /** A file holding a bearer token, read for every query. @default - no token */
  readonly bearerTokenFile?: string;
  /** PEM CA bundle for https URLs. @default - the system's roots */
  readonly ca?: string;
  readonly log: Logger;
}

type Labels = Record<string, string>;
type Sample = [number, string];

interface QueryAnswer {
  status?: 'success' | 'error';
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

/**
 * `source: prometheus`: each metric is an instant query at the collection time against the
 * Prometheus HTTP API (`/api/v1/query`). A metric name or a PromQL expression must yield one
 * number: a scalar, or an instant vector of exactly one series.
 */
export class PrometheusSource implements MetricSource {
  private readonly queryUrl: URL;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly options: PrometheusSourceOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new Error(`the Prometheus URL must be http or https, not ${base.protocol}`);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.queryUrl = new URL('api/v1/query', base);
    this.agent =
      base.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ca: options.ca })
        : new HttpAgent({ keepAlive: true });
  }

  async read(metric: string, options: ReadOptions): Promise<number> {
    const url = new URL(this.queryUrl);
    url.searchParams.set('query', metric);
    url.searchParams.set('time', String(options.time.getTime() / 1000));
    // Prometheus stops evaluating a little before the client gives up, so the answer says why.
    url.searchParams.set('timeout', `${Math.max(100, Math.floor(options.timeoutMs * 0.9))}ms`);
    const answer = await this.get(url, options);
    return valueOf(metric, answer);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private async get(url: URL, options: ReadOptions): Promise<{ code: number; body: string }> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = AbortSignal.any([options.signal, timeout]);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = await this.bearerToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      return await new Promise((resolve, reject) => {
        const req = send(url, { method: 'GET', headers, agent: this.agent, signal }, (res) => {
          readBody(res).then((body) => resolve({ code: res.statusCode ?? 0, body }), reject);
        });
        req.on('error', reject);
        req.end();
      });
    } catch (error) {
      if (error instanceof MetricReadError) throw error;
      this.options.log.info(2, 'a Prometheus query failed', { url: url.origin, error: String(error) });
      const why = timeout.aborted
        ? `no answer within ${options.timeoutMs / 1000}s`
        : options.signal.aborted
          ? 'the collection was stopped'
          : networkProblem(error);
      throw new MetricReadError(ReadFailure.SourceUnreachable, `cannot reach Prometheus: ${why}`, true);
    }
  }

  /**
   * The token file's content, read for every query: projected service account tokens rotate,
   * and a small file read costs less than getting its change wrong.
   */
  private async bearerToken(): Promise<string | undefined> {
    const file = this.options.bearerTokenFile;
    if (!file) return undefined;
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      this.options.log.error('cannot read the Prometheus bearer token file', { file, error: String(error) });
      throw new MetricReadError(
        ReadFailure.SourceUnauthorized,
        'the server cannot read its Prometheus bearer token file',
        true,
      );
    }
  }
}

/** Reads a response up to maxAnswerBytes. */
function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxAnswerBytes) {
        res.destroy();
        reject(
          new MetricReadError(
            ReadFailure.QueryError,
            `the answer is larger than ${maxAnswerBytes / (1 << 20)} MiB: the query selects far more than one number`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** A network failure in words that do not disclose where Prometheus is. */
function networkProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'its host is unreachable';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    default:
      if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
        return `its TLS certificate is not trusted (${code})`;
      return typeof code === 'string' ? code : 'a network error';
  }
}

/** The one number an answer holds, or why it holds none. */
function valueOf(metric: string, { code, body }: { code: number; body: string }): number {
  if (code === 401 || code === 403)
    throw new MetricReadError(
      ReadFailure.SourceUnauthorized,
      `Prometheus refused the credentials (HTTP ${code})`,
      true,
    );
  let answer: QueryAnswer;
  try {
    answer = JSON.parse(body) as QueryAnswer;
  } catch {
    answer = {};
  }
  if (answer.status === 'error') {
    const detail = String(answer.error ?? '').slice(0, 1024);
    if (code >= 500 && answer.errorType !== 'timeout' && answer.errorType !== 'canceled')
      throw new MetricReadError(
        ReadFailure.SourceUnreachable,
        `Prometheus failed (HTTP ${code}): ${detail}`,
        true,
      );
    throw new MetricReadError(
      ReadFailure.QueryError,
      `Prometheus refused the query: ${answer.errorType}: ${detail}`,
    );
  }
  if (answer.status !== 'success' || !answer.data) {
    throw new MetricReadError(
      ReadFailure.SourceUnreachable,
      `Prometheus answered HTTP ${code} with something other than its query API`,
      true,
    );
  }
  const { resultType, result } = answer.data;
  if (resultType === 'scalar') return sampleValue(result as Sample);
  if (resultType !== 'vector') {
    throw new MetricReadError(
      ReadFailure.QueryError,
      `the query yields a ${resultType === 'matrix' ? 'range vector' : String(resultType)}, not one number`,
    );
  }
  const series = (Array.isArray(result) ? result : []) as { metric?: Labels; value?: Sample }[];
  if (series.length === 0) {
    if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric))
      throw new MetricReadError(ReadFailure.UnknownMetric, `Prometheus has no series named ${metric}`);
    throw new MetricReadError(ReadFailure.NoData, 'the expression yields no series');
  }
  if (series.length > 1) {
    const shown = series.slice(0, seriesShown).map((s) => seriesName(s.metric ?? {}));
    const more = series.length > seriesShown ? ` and ${series.length - seriesShown} more` : '';
    throw new MetricReadError(
      ReadFailure.SeveralSeries,
      `the query yields ${series.length} series where one number was expected (${shown.join(', ')}${more}): aggregate them, e.g. with sum()`,
    );
  }
  return sampleValue(series[0].value);
}

/** Prometheus writes sample values as strings, NaN and infinities included. */
function sampleValue(sample: Sample | undefined): number {
  const text = Array.isArray(sample) ? sample[1] : undefined;
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  if (Number.isNaN(value))
    throw new MetricReadError(
      ReadFailure.QueryError,
      `Prometheus answered a value that is not a number: ${String(text).slice(0, 64)}`,
    );
  return value;
}

/** `name{label="value",...}`, as PromQL writes a series. */
function seriesName(labels: Labels): string {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${pairs.join(',')}}`;
}

/** A source for a server started without --prometheus-url: every read says so. */
const notConfigured: MetricSource = {
  read: async () => {
    throw new MetricReadError(
      ReadFailure.SourceNotConfigured,
      'the server was started without --prometheus-url',
      true,
    );
  },
};

/** `source: prometheus`, configured by --prometheus-url, --prometheus-bearer-token-file and --prometheus-ca-file. */
export const prometheusSource: MetricSourcePlugin = {
  name: 'prometheus',
  flags: [urlFlag, bearerTokenFileFlag, caFileFlag],
  open(context) {
    const url = context.flag(urlFlag);
    if (!url) {
      context.log.info(0, 'no --prometheus-url: MetricSnapshots with source "prometheus" are not collected');
      return notConfigured;
    }
    const caFile = context.flag(caFileFlag);
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (error) {
        throw new FlagError(`--prometheus-ca-file: cannot read ${caFile}: ${(error as Error).message}`);
      }
    }
    const bearerTokenFile = context.flag(bearerTokenFileFlag) || undefined;
    try {
      return new PrometheusSource({ url, bearerTokenFile, ca, log: context.log });
    } catch (error) {
      throw new FlagError(`--prometheus-url: ${(error as Error).message}`);
    }
  },
};
