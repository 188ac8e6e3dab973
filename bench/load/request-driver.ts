import type { Answer, Call } from './http2-client.js';
import type { JsonObject, RequestPlan } from './protocol.js';

/** Sends one request on the stream's connection. */
export type Send = (call: Call) => Promise<Answer>;

/**
 * What one stream of a closed loop sends next, and whether an answer is the expected one. A
 * driver keeps the stream's state (a continue token, a resourceVersion, a counter).
 */
export interface RequestDriver {
  /** Runs once before the loop (e.g. reads the object an update stream owns). */
  prepare(send: Send): Promise<void>;
  next(): Call;
  /** Whether `answer` is the expected one; updates the driver's state from it. */
  check(answer: Answer): boolean;
  /** Runs after an unexpected answer, before the next request (e.g. re-reads the object). */
  recover(send: Send): Promise<void>;
}

/** The label every write changes, so that each write really changes the object. */
export const COUNTER_LABEL = 'bench-counter';
const MERGE_PATCH = 'application/merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
/** Enough of a list's start to hold its ListMeta, which comes before the items. */
const LIST_HEAD_BYTES = 8192;

/**
 * The `continue` token of a list answer, read from the ListMeta at its start (JSON lists and
 * Tables both begin with apiVersion, kind and metadata), without parsing the whole page.
 */
export function continueToken(head: string): string | undefined {
  const start = head.indexOf('"metadata":{');
  if (start < 0) return undefined;
  // ListMeta holds only strings and a number: its first closing brace ends it.
  const end = head.indexOf('}', start);
  if (end < 0) return undefined;
  const match = /"continue":"((?:[^"\\]|\\.)*)"/.exec(head.slice(start, end));
  return match && match[1] ? (JSON.parse(`"${match[1]}"`) as string) : undefined;
}

function withCounter(template: JsonObject, name: string, counter: number): JsonObject {
  const metadata = (template.metadata ?? {}) as JsonObject;
  const labels = (metadata.labels ?? {}) as JsonObject;
  return {
    ...template,
    metadata: { ...metadata, name, labels: { ...labels, [COUNTER_LABEL]: String(counter) } },
  };
}

/** The driver of stream number `streamIndex` (over the whole job) for `plan`. */
export function requestDriver(plan: RequestPlan, streamIndex: number): RequestDriver {
  const nothing = async (): Promise<void> => undefined;
  switch (plan.kind) {
    case 'get':
      return {
        prepare: nothing,
        next: () => ({ method: 'GET', path: plan.path, accept: plan.accept }),
        check: (answer) => answer.status === 200,
        recover: nothing,
      };
    case 'paged': {
      let token: string | undefined;
      let page = 0;
      const separator = plan.path.includes('?') ? '&' : '?';
      return {
        prepare: nothing,
        next: () => ({
          method: 'GET',
          path:
            `${plan.path}${separator}limit=${plan.limit}` +
            (token ? `&continue=${encodeURIComponent(token)}` : ''),
          accept: plan.accept,
          headBytes: LIST_HEAD_BYTES,
        }),
        check: (answer) => {
          if (answer.status !== 200) return false;
          token = continueToken(answer.body.toString('utf8'));
          page += 1;
          if (!token || page >= plan.maxPages) {
            token = undefined;
            page = 0;
          }
          return true;
        },
        recover: async () => {
          token = undefined;
          page = 0;
        },
      };
    }
    case 'create': {
      const body = JSON.stringify(plan.body);
      return {
        prepare: nothing,
        next: () => ({ method: 'POST', path: plan.path, contentType: 'application/json', body }),
        check: (answer) => answer.status === 201,
        recover: nothing,
      };
    }
    case 'update': {
      const name = `${plan.namePrefix}${streamIndex}`;
      const path = `${plan.itemsPath}/${name}`;
      let resourceVersion = '';
      let counter = 0;
      const read = async (send: Send): Promise<void> => {
        const answer = await send({ method: 'GET', path, keepBody: true });
        if (answer.status !== 200) throw new Error(`cannot read ${path}: HTTP ${answer.status}`);
        resourceVersion = readResourceVersion(answer.body);
      };
      return {
        prepare: read,
        next: () => {
          const object = withCounter(plan.template, name, ++counter);
          (object.metadata as JsonObject).resourceVersion = resourceVersion;
          return {
            method: 'PUT',
            path,
            contentType: 'application/json',
            body: JSON.stringify(object),
            keepBody: true,
          };
        },
        check: (answer) => {
          if (answer.status !== 200) return false;
          resourceVersion = readResourceVersion(answer.body);
          return true;
        },
        recover: read,
      };
    }
    case 'merge-patch':
    case 'apply': {
      const name = `${plan.namePrefix}${streamIndex}`;
      const apply = plan.kind === 'apply';
      const path = `${plan.itemsPath}/${name}` + (apply ? '?fieldManager=bench&force=true' : '');
      let counter = 0;
      return {
        prepare: nothing,
        next: () => {
          counter += 1;
          const body = apply
            ? withCounter(plan.template, name, counter)
            : { metadata: { labels: { [COUNTER_LABEL]: String(counter) } } };
          return {
            method: 'PATCH',
            path,
            contentType: apply ? APPLY_PATCH : MERGE_PATCH,
            body: JSON.stringify(body),
          };
        },
        check: (answer) => answer.status === 200,
        recover: nothing,
      };
    }
  }
}

function readResourceVersion(body: Buffer): string {
  const object = JSON.parse(body.toString('utf8')) as { metadata?: { resourceVersion?: unknown } };
  const resourceVersion = object.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string') throw new Error('the answer has no metadata.resourceVersion');
  return resourceVersion;
}
