import type { SelectableField } from '../../api/resource-definition.js';
import type { KubeObject } from '../../api/types.js';
import { errors } from '../api/errors.js';

interface FieldRequirement {
  readonly value: (object: KubeObject) => string | undefined;
  readonly expected: string;
  readonly equals: boolean;
}

/** Every custom resource can be selected by name and namespace, as kube-apiserver allows for CRs. */
const metadataFields: readonly SelectableField[] = [
  { field: 'metadata.name', value: (o) => o.metadata.name ?? '' },
  { field: 'metadata.namespace', value: (o) => o.metadata.namespace ?? '' },
];

/**
 * A parsed `fieldSelector` (`metadata.name=x,spec.color!=red`) over the fields a version makes
 * selectable. Field names are looked up in a Map, so `toString` or `__proto__` is an unknown
 * field like any other, never a property of some object.
 */
export class FieldSelector {
  private constructor(private readonly requirements: readonly FieldRequirement[]) {}

  static readonly everything = new FieldSelector([]);

  static parse(text: string | undefined, selectable: readonly SelectableField[] = []): FieldSelector {
    if (!text || text.trim() === '') return FieldSelector.everything;
    const fields = new Map([...metadataFields, ...selectable].map((f) => [f.field, f]));
    return new FieldSelector(
      text.split(',').map((part) => {
        const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
        if (!match)
          throw errors.badRequest(`invalid field selector: "${part}": expected field=value or field!=value`);
        const [, name, op, expected] = match;
        const field = fields.get(name);
        if (!field) {
          throw errors.badRequest(
            `"${name}" is not a known field selector: only ${[...fields.keys()].map((f) => `"${f}"`).join(', ')}`,
          );
        }
        return { value: field.value, expected, equals: op !== '!=' };
      }),
    );
  }

  matches(object: KubeObject): boolean {
    return this.requirements.every((r) => ((r.value(object) ?? '') === r.expected) === r.equals);
  }
}
