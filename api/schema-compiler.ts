import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
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
  return ajv.compile(schema);
}
