/**
 * kube-apiserver's CEL cost limits (k8s.io/apiserver/pkg/apis/cel/config.go and
 * k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation), in cel-go's cost units
 * (one unit is roughly 100 ns of evaluation).
 */
/** A rule whose worst-case estimate, times how often its node can occur, exceeds this does not compile. */
export const staticEstimatedCostLimit = 10_000_000;
/** The sum of every rule's estimate in one schema must stay under this. */
export const staticEstimatedCRDCostLimit = 100_000_000;
/** One evaluation of one expression stops when it has cost this much. */
export const perCallLimit = 1_000_000;
/** All the rules evaluated for one object together may cost this much. */
export const runtimeCostBudget = 10_000_000;
/** A messageExpression's result longer than this is ignored. */
export const maxEvaluatedMessageExpressionSizeBytes = 5 * 1024;

/** kube's wording for an estimate over a limit (getCostErrorMessage). */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const text =
    factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return (
    `${costName} exceeds budget by factor of ${text} (try simplifying the rule, or adding maxItems, ` +
    'maxProperties, and maxLength where arrays, maps, and strings are declared)'
  );
}
