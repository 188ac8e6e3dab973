import { ApiError, errors } from './errors.js';

/**
 * The work one request may cause, bounded so that no request (however small, however hostile)
 * can exhaust memory, overflow the stack or hold the event loop for long. Each limit is
 * kube-apiserver's where Node can afford it, and says where and why it differs.
 *
 * | What                                        | Limit       | Answer  | kube-apiserver                     |
 * | ------------------------------------------- | ----------- | ------- | ---------------------------------- |
 * | request body                                | 3 MiB       | 413     | same (--max-request-body-bytes)    |
 * | nesting of a body                           | 300 levels  | 400     | 10,000 (its JSON decoder)          |
 * | values in a body (members and items)        | 30,000      | 413     | none                               |
 * | nesting and values of a patched object      | same        | 422     | 10,000 levels                      |
 * | operations in a JSON patch                  | 10,000      | 413     | same                               |
 * | bytes a JSON patch's copies add             | 3 MiB       | 422     | same (JSONPatchMaxCopyBytes)       |
 * | annotations (keys and values)               | 256 KiB     | 422     | same                               |
 * | a stored object, as JSON                    | 3 MiB       | 413     | etcd's --max-request-bytes 1.5 MiB |
 *
 * Nesting: Node's JSON.stringify, its deep equality and the YAML library recurse once per level
 * and overflow the default stack somewhere between 700 and 2,000 levels; 300 keeps a wide margin
 * under the weakest of them, and no Kubernetes object comes near it.
 *
 * Values: decoding YAML and tracking field ownership (managedFields, server-side apply) cost
 * some microseconds per value, synchronously. A 3 MiB body can hold a million values, which
 * would hold the event loop for many seconds (every other client, health probes included,
 * would wait); 30,000 values bound that to well under a second. They are counted everywhere,
 * managedFields included, so an object can have about half of them as fields of its own.
 * Labels are bounded by this count (kube sets no other limit on them).
 */

/** kube-apiserver's limit for a request body. */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** How deeply objects and arrays may nest in a request body or a patched object. */
export const MAX_NESTING_DEPTH = 300;

/** kube-apiserver refuses JSON patches with more operations than this (413). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** How much the `copy` operations of one JSON patch may add to the document, in bytes of JSON. */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** How many values (object members and array items, at any depth) a body or an object may have. */
export const MAX_VALUES = 30_000;

/** kube's limit on the total size of an object's annotations, keys and values. */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

/** The largest object the server stores, as JSON text. */
export const MAX_OBJECT_BYTES = 3 * 1024 * 1024;

/** What is wrong with a document's shape, or undefined when it is within the limits. */
export type ShapeProblem =
  { readonly kind: 'depth'; readonly limit: number } | { readonly kind: 'values'; readonly limit: number };

/**
 * Scans JSON text (without parsing it) for nesting deeper than `limit`, so that a body is
 * refused before any recursive code sees it. Brackets inside strings do not count; the text
 * need not be valid JSON (the parser reports that).
 */
export function jsonTextTooDeep(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/**
 * Walks a parsed document without recursion and reports the first limit it breaks: nesting
 * deeper than `maxDepth`, or more than `maxValues` values.
 */
export function shapeProblem(
  value: unknown,
  maxDepth = MAX_NESTING_DEPTH,
  maxValues = MAX_VALUES,
): ShapeProblem | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  let values = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return { kind: 'depth', limit: maxDepth };
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    values += children.length;
    if (values > maxValues) return { kind: 'values', limit: maxValues };
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}

/**
 * A cheap upper bound on the values of a YAML text, counted without parsing it (parsing is the
 * slow part): lines that start a sequence item or a mapping entry, and flow separators.
 */
export function yamlValueEstimate(text: string): number {
  const entries = text.match(/^[ \t]*(?:- |-$|[^\s#:][^:\n]*:(?: |$))/gm)?.length ?? 0;
  const separators = text.match(/[,[{]/g)?.length ?? 0;
  return entries + separators;
}

/** The message for a shape problem, as the client reads it. */
export function shapeProblemMessage(problem: ShapeProblem): string {
  return problem.kind === 'depth'
    ? `the object is nested more than ${problem.limit} levels deep`
    : `the object has more than ${problem.limit} values (fields and list items)`;
}

/** The error for a request body past a limit: 400 when nested too deeply, 413 when too large. */
export function bodyShapeError(problem: ShapeProblem): ApiError {
  const message = `the request body is not acceptable: ${shapeProblemMessage(problem)}`;
  if (problem.kind === 'depth') return errors.badRequest(message);
  return new ApiError({ code: 413, reason: 'RequestEntityTooLarge', message });
}

/** Throws the error for a parsed body that breaks a shape limit. */
export function checkBodyShape(value: unknown): void {
  const problem = shapeProblem(value);
  if (problem) throw bodyShapeError(problem);
}

/**
 * Throws 413 before a YAML text is parsed if it certainly holds far more values than allowed
 * (the estimate counts some lines of long strings too, hence the margin); the parsed document
 * is then checked exactly.
 */
export function checkYamlText(text: string): void {
  if (yamlValueEstimate(text) > MAX_VALUES * 2) throw bodyShapeError({ kind: 'values', limit: MAX_VALUES });
}

/**
 * Whether an error is (or wraps, as the YAML parser does) the engine's stack overflow, whose
 * message must never reach a client.
 */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof Error && /maximum call stack size exceeded/i.test(error.message);
}
