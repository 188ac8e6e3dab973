import { errors } from '../api/errors.js';
import type { KubeObject } from '../../api/types.js';

interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly equals: boolean;
}

/** The fields every custom resource can be selected by, as kube-apiserver allows for CRs. */
const selectableFields: Readonly<Record<string, (object: KubeObject) => string>> = {
  'metadata.name': (o) => o.metadata.name ?? '',
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/** A parsed `fieldSelector`: `metadata.name=x`, `metadata.namespace!=y`, joined by commas. */
export class FieldSelector {
  private constructor(private readonly requirements: readonly FieldRequirement[]) {}

  static readonly everything = new FieldSelector([]);

  static parse(text: string | undefined): FieldSelector {
    if (!text || text.trim() === '') return FieldSelector.everything;
    return new FieldSelector(
      text.split(',').map((part) => {
        const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
        if (!match)
          throw errors.badRequest(`invalid field selector: "${part}": expected field=value or field!=value`);
        const [, field, op, value] = match;
        if (!selectableFields[field]) {
          throw errors.badRequest(
            `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
          );
        }
        return { field, value, equals: op !== '!=' };
      }),
    );
  }

  /** The single name this selector pins, if any: lets a list read one key instead of scanning. */
  get requiredName(): string | undefined {
    return this.requirements.find((r) => r.field === 'metadata.name' && r.equals)?.value;
  }

  matches(object: KubeObject): boolean {
    return this.requirements.every((r) => (selectableFields[r.field](object) === r.value) === r.equals);
  }
}
