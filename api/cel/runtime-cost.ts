import { celError, isCelList, isCelMap, type CelValue } from '@bufbuild/cel';

/**
 * Bounded evaluation. @bufbuild/cel has no cost tracking or interruption, so the environment's
 * functions are wrapped (see runtime-environment.ts) to charge this tracker before they run,
 * by the size of their actual arguments as cel-go's runtime cost model does (1 per call,
 * string and list traversals by length), and every comprehension's loop condition is wrapped
 * in a call that charges 1 per iteration (see cost-instrumentation.ts). Every loop and every
 * call therefore passes through `charge`, and once the limit is passed each further charge
 * fails, so evaluation unwinds at the next step; the caller also checks `exceeded` because an
 * error can be absorbed by `||`/`&&`. Selections and identifiers are not charged, so the count
 * is lower than cel-go's actual cost for the same expression.
 */
export class CostTracker {
  used = 0;
  exceeded = false;
  constructor(readonly limit: number) {}

  charge(cost: number): void {
    this.used += cost;
    if (this.used > this.limit) {
      this.exceeded = true;
      throw celError('operation cancelled: actual cost limit exceeded');
    }
  }
}

/** Evaluation is synchronous, so the tracker of the evaluation under way can be module state. */
let current: CostTracker | undefined;

/** Runs `evaluate` with `tracker` charged by every call and iteration. */
export function withCostTracker<T>(tracker: CostTracker, evaluate: () => T): T {
  const previous = current;
  current = tracker;
  try {
    return evaluate();
  } finally {
    current = previous;
  }
}

export function chargeCurrent(cost: number): void {
  current?.charge(cost);
}

/** The size cel-go's cost model uses for a value: characters, bytes, elements or entries. */
export function runtimeSize(value: CelValue | undefined): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.length;
  if (isCelList(value) || isCelMap(value)) return value.size;
  return 1;
}
