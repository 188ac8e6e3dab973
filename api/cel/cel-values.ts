import { create } from '@bufbuild/protobuf';
import { DurationSchema, TimestampSchema, type Duration, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { CelInput } from '@bufbuild/cel';
import type { JSONSchema } from '../json-schema.js';
import { escapePropertyName } from './property-name.js';
import { exposedSchema } from './schema-type.js';

/** A value CEL cannot take (a malformed date, say): the rule reading it fails to evaluate. */
export class ValueConversionError extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const fullDate = /^(\d{4})-(\d{2})-(\d{2})$/;

function timestamp(text: string, format: 'date' | 'date-time'): Timestamp {
  let seconds: number;
  let nanos = 0;
  const date = format === 'date' ? fullDate.exec(text) : undefined;
  const dateTime = format === 'date-time' ? rfc3339.exec(text) : undefined;
  if (date) {
    seconds = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])) / 1000;
  } else if (dateTime) {
    const [, y, mo, d, h, mi, s, fraction, zone] = dateTime;
    seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
    if (fraction) nanos = Number(fraction.slice(1, 10).padEnd(9, '0'));
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      seconds -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
    }
  } else {
    throw new ValueConversionError(`invalid ${format}: ${JSON.stringify(text)}`);
  }
  if (!Number.isFinite(seconds)) throw new ValueConversionError(`invalid ${format}: ${JSON.stringify(text)}`);
  return create(TimestampSchema, { seconds: BigInt(seconds), nanos });
}

const durationUnits: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go's time.ParseDuration format ("1h30m", "-1.5s", "0"), as kube reads format: duration. */
function duration(text: string): Duration {
  const match = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!match) throw new ValueConversionError(`invalid duration: ${JSON.stringify(text)}`);
  let nanos = 0;
  for (const part of match[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    nanos += Number(part[1]) * durationUnits[part[2]];
  if (match[1] === '-') nanos = -nanos;
  const seconds = Math.trunc(nanos / 1e9);
  return create(DurationSchema, { seconds: BigInt(seconds), nanos: Math.round(nanos - seconds * 1e9) });
}

function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A value without a schema (int-or-string, preserved unknown fields, the objects admission
 * expressions read): JSON as CEL reads it.
 */
export function dynamicValue(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(dynamicValue);
  if (isPlainObject(value)) return new Map(Object.entries(value).map(([k, v]) => [k, dynamicValue(v)]));
  return value as CelInput;
}

/**
 * Converts a JSON value into the CEL value a rule sees for `schema`, as kube-apiserver's
 * UnstructuredToVal does: integers as int, numbers as double, formatted strings as timestamp,
 * duration or bytes, objects as maps of their declared (escaped) properties only, so unknown
 * fields stay invisible. Maps are JavaScript Maps, so no key can reach an object prototype.
 */
export function toCelValue(value: unknown, schema: JSONSchema, isResourceRoot: boolean): CelInput {
  if (value === null || value === undefined) return null;
  if (schema['x-kubernetes-int-or-string']) return dynamicValue(value);
  const s = exposedSchema(schema, isResourceRoot);
  switch (s.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : dynamicValue(value);
    case 'number':
      return typeof value === 'number' ? value : dynamicValue(value);
    case 'string':
      if (typeof value !== 'string') return dynamicValue(value);
      if (s.format === 'date' || s.format === 'date-time')
        return timestamp(value, s.format) as unknown as CelInput;
      if (s.format === 'duration') return duration(value) as unknown as CelInput;
      if (s.format === 'byte') return base64(value);
      return value;
    case 'array':
      if (!Array.isArray(value) || !s.items) return dynamicValue(value);
      return value.map((item) =>
        toCelValue(item, s.items!, s.items!['x-kubernetes-embedded-resource'] === true),
      );
    case 'object': {
      if (!isPlainObject(value)) return dynamicValue(value);
      const entries = new Map<string, CelInput>();
      const additional = s.additionalProperties;
      if (additional !== undefined && typeof additional === 'object') {
        const embedded = additional['x-kubernetes-embedded-resource'] === true;
        for (const [key, item] of Object.entries(value))
          entries.set(key, toCelValue(item, additional, embedded));
        return entries;
      }
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        if (!Object.hasOwn(value, name) || value[name] === undefined) continue;
        const escaped = escapePropertyName(name);
        if (escaped === undefined) continue;
        entries.set(
          escaped,
          toCelValue(value[name], property, property['x-kubernetes-embedded-resource'] === true),
        );
      }
      return entries;
    }
    default:
      return dynamicValue(value);
  }
}
