import type { KubeObject } from '../../api/index.js';

interface V1beta1Sample {
  metric: string;
  value: number;
}

type Fields = Record<string, unknown>;

function asFields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** Renames one key of a plain object, keeping the key order of everything else. */
function renameKey(
  fields: Fields,
  from: string,
  to: string,
  convert: (value: unknown) => unknown = (v) => v,
): Fields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => (key === from ? [to, convert(value)] : [key, value])),
  );
}

function samplesToData(samples: unknown): unknown {
  if (!Array.isArray(samples)) return samples;
  // fromEntries defines own properties, so a metric named like `__proto__` stays a metric.
  return Object.fromEntries((samples as V1beta1Sample[]).map((sample) => [sample.metric, sample.value]));
}

function dataToSamples(data: unknown): unknown {
  const fields = asFields(data);
  if (!fields) return data;
  return Object.entries(fields).map(([metric, value]) => ({ metric, value }));
}

function convert(
  object: KubeObject,
  apiVersion: string,
  specRename: [string, string],
  statusRename: [string, string, (value: unknown) => unknown],
): KubeObject {
  const result: KubeObject = { ...object, apiVersion };
  const spec = asFields(object.spec);
  if (spec) result.spec = renameKey(spec, specRename[0], specRename[1]);
  const status = asFields(object.status);
  if (status) result.status = renameKey(status, statusRename[0], statusRename[1], statusRename[2]);
  return result;
}

export function v1beta1ToV1(object: KubeObject): KubeObject {
  return convert(
    object,
    'metrics.example.com/v1',
    ['metricNames', 'metrics'],
    ['samples', 'data', samplesToData],
  );
}

export function v1ToV1beta1(object: KubeObject): KubeObject {
  return convert(
    object,
    'metrics.example.com/v1beta1',
    ['metrics', 'metricNames'],
    ['data', 'samples', dataToSamples],
  );
}
