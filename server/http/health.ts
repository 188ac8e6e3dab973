import type { Exchange } from './exchange.js';
import { refuseWritesToReadOnlyEndpoints } from './read-only-endpoints.js';
import { writeText } from './response.js';

export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

/**
 * `/livez`, `/readyz` and `/healthz` as the generic apiserver serves them: `ok`, or 500 with
 * the failing checks; `?verbose` lists every check, and `/readyz/<check>` runs one.
 */
export class HealthEndpoints {
  constructor(
    private readonly checks: Readonly<Record<'livez' | 'readyz' | 'healthz', readonly HealthCheck[]>>,
  ) {}

  async handle(exchange: Exchange): Promise<boolean> {
    const [endpoint, only] = exchange.url.pathname.split('/').filter((p) => p);
    if (endpoint !== 'livez' && endpoint !== 'readyz' && endpoint !== 'healthz') return false;
    refuseWritesToReadOnlyEndpoints(exchange);
    const checks = this.checks[endpoint].filter((c) => !only || c.name === only);
    if (only && checks.length === 0 && only !== 'ping') return false;
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await c.check();
          return { name: c.name, error: undefined };
        } catch (error) {
          return { name: c.name, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const failed = results.filter((r) => r.error !== undefined);
    const verbose = exchange.url.searchParams.has('verbose') || failed.length > 0;
    const lines = verbose
      ? results.map((r) => (r.error === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.error}`))
      : [];
    const summary = failed.length === 0 ? `${endpoint} check passed` : `${endpoint} check failed`;
    writeText(
      exchange,
      failed.length === 0 ? 200 : 500,
      verbose ? `${lines.join('\n')}\n${summary}\n` : 'ok',
    );
    return true;
  }
}
