import { parse as parseYaml } from 'yaml';
import { errors } from '../api/errors.js';
import type { Exchange } from './exchange.js';

/** kube-apiserver's limit for a request body. */
export const maxRequestBodyBytes = 3 * 1024 * 1024;

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
  return Buffer.concat(chunks);
}

export function mediaTypeOf(exchange: Exchange): string {
  return (exchange.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON or YAML body into a JSON object, with 400 for anything malformed. */
export function parseDocument(body: Buffer, mediaType: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  let value: unknown;
  try {
    value =
      mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml'
        ? parseYaml(text)
        : JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : 'malformed';
    throw errors.badRequest(`the request body could not be decoded: ${detail}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest('the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** The media types a create or update body may use. */
export const objectMediaTypes = ['application/json', 'application/yaml'] as const;

export async function readObjectBody(exchange: Exchange): Promise<Record<string, unknown>> {
  const mediaType = mediaTypeOf(exchange);
  if (!(objectMediaTypes as readonly string[]).includes(mediaType)) {
    throw errors.unsupportedMediaType(mediaType, objectMediaTypes);
  }
  return parseDocument(await readBody(exchange), mediaType);
}
