import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseGoDuration } from './go-duration.js';
import type { JSONSchema } from './json-schema.js';

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Compiles a structural schema into a validator that checks and fills `default`s in place, as
 * kube-apiserver validates and defaults custom resources. The Kubernetes extensions
 * (`x-kubernetes-*`) are annotations to ajv; throws when the schema does not compile.
 */
export function compileSchema(schema: JSONSchema): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    strict: false,
    coerceTypes: false,
    validateFormats: true,
  });
  addFormats(ajv);
  // kube's `duration` format is a Go duration (`1m30s`), not ISO 8601 (`PT1M30S`) as in ajv-formats.
  ajv.addFormat('duration', {
    type: 'string',
    validate: (text: string) => parseGoDuration(text) !== undefined,
  });
  return ajv.compile(schema);
}
