import type { Collection } from './collect-snapshot.js';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** A MetricSnapshot's status in the storage version (v1). */
export interface SnapshotStatus {
  lastCollectionTime?: string;
  data?: Record<string, number>;
  conditions?: Condition[];
  [field: string]: unknown;
}

/** The Ready condition's reason when every metric was read. */
export const Collected = 'Collected';

/** How long a condition message may grow before it is cut (the schema allows 32768). */
const maxMessageLength = 4096;

/** metav1.Time: RFC 3339 in whole seconds. */
export function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The status a collection leads to. What was read replaces `data` and moves `lastCollectionTime`
 * (so `data` never mixes instants); a collection that read nothing leaves both as they were, the
 * last values and when they were read. Ready says whether every metric was read, and if not,
 * which were not and why; its lastTransitionTime moves only when its status changes, as
 * meta.SetStatusCondition does. Conditions of other types are kept.
 */
export function statusAfter(
  current: SnapshotStatus | undefined,
  collection: Collection,
  metricCount: number,
  generation: number,
  now: Date,
): SnapshotStatus {
  const next: SnapshotStatus = { ...current };
  if (collection.values.size > 0) {
    next.lastCollectionTime = rfc3339(collection.time);
    next.data = Object.fromEntries(collection.values);
  }
  const ready = readyCondition(collection, metricCount);
  next.conditions = setCondition(
    current?.conditions ?? [],
    { ...ready, observedGeneration: generation },
    now,
  );
  return next;
}

function readyCondition(
  collection: Collection,
  metricCount: number,
): Pick<Condition, 'status' | 'reason' | 'message'> {
  const { failures } = collection;
  if (failures.length === 0) {
    return {
      status: 'True',
      reason: Collected,
      message: `collected ${metricCount} metric${metricCount === 1 ? '' : 's'}`,
    };
  }
  const [first] = failures;
  const shared = failures.every((f) => f.reason === first.reason && f.message === first.message);
  const message =
    shared && failures.length === metricCount
      ? first.message
      : `${failures.length} of ${metricCount} metrics not collected: ${failures
          .map((f) => `${f.metric}: ${f.message}`)
          .join('; ')}`;
  return { status: 'False', reason: first.reason, message: truncate(message) };
}

function truncate(message: string): string {
  return message.length <= maxMessageLength ? message : `${message.slice(0, maxMessageLength - 1)}…`;
}

/** Sets one condition in a list, keeping its lastTransitionTime unless its status changes. */
export function setCondition(
  conditions: readonly Condition[],
  condition: Omit<Condition, 'type' | 'lastTransitionTime'> & { type?: string },
  now: Date,
): Condition[] {
  const type = condition.type ?? 'Ready';
  const existing = conditions.find((c) => c.type === type);
  const updated: Condition = {
    type,
    status: condition.status,
    ...(condition.observedGeneration !== undefined
      ? { observedGeneration: condition.observedGeneration }
      : {}),
    lastTransitionTime:
      existing && existing.status === condition.status ? existing.lastTransitionTime : rfc3339(now),
    reason: condition.reason,
    message: condition.message,
  };
  return existing ? conditions.map((c) => (c.type === type ? updated : c)) : [...conditions, updated];
}
