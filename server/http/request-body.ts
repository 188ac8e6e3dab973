import { parse as parseYaml } from 'yaml';
import { errors } from '../api/errors.js';
import {
  bodyShapeError,
  checkBodyShape,
  checkYamlText,
  isStackOverflow,
  jsonTextTooDeep,
  MAX_NESTING_DEPTH,
  MAX_REQUEST_BODY_BYTES,
} from '../api/request-limits.js';
import type { Exchange } from './exchange.js';

/** kube-apiserver's limit for a request body (see ../api/request-limits.ts). */
export const maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

/** Reads the body, refusing more than the limit with 413 as soon as it is exceeded. */
export async function readBody(exchange: Exchange, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(exchange.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw errors.requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of exchange.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw errors.requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  exchange.audit?.recordRequestBody(body, mediaTypeOf(exchange));
  return body;
}

export function mediaTypeOf(exchange: Exchange): string {
  return (exchange.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Parses a JSON or YAML body into a JSON object, with 400 for anything malformed or past the
 * nesting and list limits (see ../api/request-limits.ts).
 */
export function parseDocument(body: Buffer, mediaType: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  const yaml = mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml';
  // JSON is checked before it is parsed; YAML (whose nesting is also indentation) after.
  if (!yaml && jsonTextTooDeep(text)) throw bodyShapeError({ kind: 'depth', limit: MAX_NESTING_DEPTH });
  if (yaml) checkYamlText(text);
  let value: unknown;
  try {
    value = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw errors.badRequest(`the request body could not be decoded: ${decodeErrorDetail(error)}`);
  }
  checkBodyShape(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * What a parser said about a body, for the client: its first line, except that the engine's
 * own failures (a stack overflow in a recursive parser) are described, never echoed.
 */
export function decodeErrorDetail(error: unknown): string {
  if (isStackOverflow(error)) return `the document is nested too deeply`;
  return error instanceof Error ? error.message.split('\n')[0] : 'malformed';
}

/**
 * The paths of fields a JSON text sets more than once in the same object (`spec.source`,
 * `spec.items[0].name`). JSON.parse keeps the last silently; kube's strict decoder reports
 * them, so fieldValidation can reject (Strict) or warn (Warn) about them. Expects valid JSON.
 */
export function duplicateJsonFields(text: string): string[] {
  // The scan below recurses once per level.
  if (jsonTextTooDeep(text)) throw bodyShapeError({ kind: 'depth', limit: MAX_NESTING_DEPTH });
  const duplicates: string[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);
  const value = (path: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      while (i < text.length && text[i] !== '}') {
        skipSpace();
        const key = readString();
        if (seen.has(key)) duplicates.push(child(path, key));
        seen.add(key);
        skipSpace();
        i++; // ':'
        value(child(path, key));
        skipSpace();
        if (text[i] === ',') i++;
        skipSpace();
      }
      i++;
    } else if (c === '[') {
      i++;
      let index = 0;
      skipSpace();
      while (i < text.length && text[i] !== ']') {
        value(`${path}[${index++}]`);
        skipSpace();
        if (text[i] === ',') i++;
        skipSpace();
      }
      i++;
    } else if (c === '"') readString();
    else while (i < text.length && !',}] \t\n\r'.includes(text[i])) i++;
  };
  value('');
  return [...new Set(duplicates)];
}

/** The media types a create or update body may use. */
export const objectMediaTypes = ['application/json', 'application/yaml'] as const;

/** A create or update body, with the fields a JSON body repeats (see duplicateJsonFields). */
export async function readObjectBody(
  exchange: Exchange,
): Promise<{ object: Record<string, unknown>; duplicateFields: string[] }> {
  const mediaType = mediaTypeOf(exchange);
  if (!(objectMediaTypes as readonly string[]).includes(mediaType)) {
    throw errors.unsupportedMediaType(mediaType, objectMediaTypes);
  }
  const body = await readBody(exchange);
  const object = parseDocument(body, mediaType);
  const duplicateFields = mediaType === 'application/json' ? duplicateJsonFields(body.toString('utf8')) : [];
  return { object, duplicateFields };
}
