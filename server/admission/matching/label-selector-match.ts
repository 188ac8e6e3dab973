/** A meta/v1 LabelSelector as the admission configurations carry it. */
export interface LabelSelectorSpec {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }[];
}

/** A selector kube-apiserver accepted but that cannot be evaluated (an operator this server does not know). */
export class InvalidSelectorError extends Error {
  override readonly name = 'InvalidSelectorError';
}

/**
 * Whether `labels` satisfy `selector`, as metav1.LabelSelectorAsSelector evaluates it: every
 * matchLabels pair and every expression (In, NotIn, Exists, DoesNotExist) must hold; an
 * absent or empty selector matches everything.
 */
export function matchesLabelSelector(
  selector: LabelSelectorSpec | undefined | null,
  labels: Readonly<Record<string, string>> | undefined | null,
): boolean {
  if (!selector) return true;
  const set = new Map(Object.entries(labels ?? {}));
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (set.get(key) !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = set.has(expression.key);
    const value = set.get(expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new InvalidSelectorError(`"${expression.operator}" is not a valid label selector operator`);
    }
  }
  return true;
}
