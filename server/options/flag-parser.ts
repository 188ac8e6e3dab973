import { formatGoDuration, parseGoDuration } from '../../api/go-duration.js';
/** A command-line flag in the style of Kubernetes' pflag: `--name=value`, `--name value`, `--bool`. */
export interface FlagSpec<T> {
  readonly name: string;
  readonly description: string;
  readonly default: T;
  parse(text: string): T;
  /** Boolean flags may stand alone (`--watch-cache`). */
  readonly isBoolean?: boolean;
  /** The default as a user types it (`--help`). @default JSON of the value */
  formatDefault?(value: T): string;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export const flagTypes = {
  string: (name: string, def: string, description: string): FlagSpec<string> => ({
    name,
    description,
    default: def,
    parse: (t) => t,
  }),
  integer: (name: string, def: number, description: string): FlagSpec<number> => ({
    name,
    description,
    default: def,
    parse: (t) => {
      if (!/^-?[0-9]+$/.test(t))
        throw new FlagError(`invalid argument "${t}" for "--${name}" flag: must be an integer`);
      return Number(t);
    },
  }),
  boolean: (name: string, def: boolean, description: string): FlagSpec<boolean> => ({
    name,
    description,
    default: def,
    isBoolean: true,
    parse: (t) => {
      if (['true', '1', 't', 'T', 'TRUE', 'True'].includes(t)) return true;
      if (['false', '0', 'f', 'F', 'FALSE', 'False'].includes(t)) return false;
      throw new FlagError(`invalid argument "${t}" for "--${name}" flag: must be a boolean`);
    },
  }),
  stringList: (name: string, def: readonly string[], description: string): FlagSpec<readonly string[]> => ({
    name,
    description,
    default: def,
    parse: (t) => (t === '' ? [] : t.split(',').map((s) => s.trim())),
  }),
  /** Go durations (`10s`, `1m30s`, `500ms`), as milliseconds; `--help` shows them as Go durations. */
  /** Go durations (`10s`, `1m30s`, `500ms`), as milliseconds; `--help` shows the default as one. */
  duration: (name: string, defMs: number, description: string): FlagSpec<number> => ({
    name,
    description,
    default: defMs,
    formatDefault: formatGoDuration,
    parse: (t) => {
      const ms = parseGoDuration(t);
      if (ms === undefined || ms < 0)
        throw new FlagError(
          `invalid argument "${t}" for "--${name}" flag: must be a duration such as 30s or 1m`,
        );
      return ms;
    },
  }),
};

type Values<S extends Record<string, FlagSpec<unknown>>> = {
  -readonly [K in keyof S]: S[K] extends FlagSpec<infer T> ? T : never;
};

/** Parses argv against the specs; unknown flags and positional arguments are errors, as with kube's components. */
export function parseFlags<S extends Record<string, FlagSpec<unknown>>>(
  specs: S,
  argv: readonly string[],
): Values<S> {
  const byName = new Map<string, [keyof S, FlagSpec<unknown>]>();
  for (const [key, spec] of Object.entries(specs)) byName.set(spec.name, [key, spec]);
  const values = Object.fromEntries(
    Object.entries(specs).map(([key, spec]) => [key, spec.default]),
  ) as Values<S>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new FlagError(`unexpected argument "${arg}": this command takes only flags`);
    const [, name, inline] = match;
    const found = byName.get(name);
    if (!found) throw new FlagError(`unknown flag: --${name}`);
    const [key, spec] = found;
    let text = inline;
    if (text === undefined) {
      if (spec.isBoolean) text = 'true';
      else if (i + 1 < argv.length) text = argv[++i];
      else throw new FlagError(`flag needs an argument: --${name}`);
    }
    (values as Record<keyof S, unknown>)[key] = spec.parse(text);
  }
  return values;
}

/** The flags, one entry each, with their defaults in the form the flag itself takes. */
export function usage(specs: Record<string, FlagSpec<unknown>>): string {
  return Object.values(specs)
    .map((s) => {
      const shown = s.formatDefault ? s.formatDefault(s.default) : JSON.stringify(s.default);
      return `  --${s.name}${s.isBoolean ? '' : ' value'}\n        ${s.description} (default ${shown})`;
    })
    .join('\n');
}
