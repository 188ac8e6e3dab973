import type { KubeObject } from '../../api/types.js';

/** A JSON document as the patch functions see it: what `JSON.parse` can return. */
export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets a member without ever touching the prototype chain: a `__proto__` key that came from
 * a request body stays an ordinary member, as JSON.parse leaves it.
 */
export function setMember(object: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

/** The member's value, or undefined when the object has no such own member. */
export function getMember(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A deep copy, so results never share structure with inputs. */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) setMember(out, key, cloneJson(item));
    return out as T;
  }
  return value;
}

/**
 * A deep copy of any in-memory value as JSON: `undefined` object members are dropped (as
 * JSON.stringify does), everything that JSON cannot represent is rejected.
 */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value))
    return value.map((item: unknown) => (item === undefined ? null : toJsonValue(item)));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) setMember(out, key, toJsonValue(item));
    }
    return out;
  }
  throw new TypeError(`value of type ${typeof value} is not JSON`);
}

/** Structural equality of JSON values (object member order does not matter). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** The UTF-8 text of a request body. */
export function bodyText(body: Buffer | string): string {
  return typeof body === 'string' ? body : body.toString('utf8');
}

/** The object as plain JSON (a deep copy). */
export function kubeObjectToJson(object: KubeObject): JsonObject {
  const json = toJsonValue(object);
  if (!isJsonObject(json)) throw new TypeError('object is not a JSON object');
  return json;
}

/**
 * The JSON object as a KubeObject. A missing `metadata` becomes `{}` so the result keeps the
 * KubeObject shape; whoever stores it still checks names and namespaces.
 */
export function jsonToKubeObject(json: JsonObject): KubeObject {
  const metadata = json.metadata;
  let withMeta = json;
  if (metadata === undefined || metadata === null) {
    withMeta = cloneJson(json);
    setMember(withMeta, 'metadata', {});
  }
  // The index signature of KubeObject accepts any JSON member; metadata is an object here.
  return withMeta as unknown as KubeObject;
}
