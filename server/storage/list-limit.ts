/**
 * The page size a list should use: undefined (everything) for an unset, zero or nonsensical
 * limit, which is how kube-apiserver reads `limit=0`. Fractions round down.
 */
export function pageSize(limit: number | undefined): number | undefined {
  if (limit === undefined || !Number.isFinite(limit) || limit < 1) return undefined;
  return Math.floor(limit);
}
