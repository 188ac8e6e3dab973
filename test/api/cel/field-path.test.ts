import { describe, expect, it } from '@jest/globals';
import type { JSONSchema } from '../../../api/json-schema.js';
import { appendSteps, FieldPath, resolveFieldPath } from '../../../api/cel/field-path.js';

const schema: JSONSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        replicas: { type: 'integer' },
      },
    },
  },
};

describe('field paths', () => {
  it('resolves fields and quoted map keys against the schema', () => {
    const resolved = resolveFieldPath(".spec.labels['app.kubernetes.io/name']", schema);
    expect(resolved).toEqual({ path: ['.spec', '.labels', '[app.kubernetes.io/name]'] });
    if ('path' in resolved)
      expect(appendSteps(FieldPath.root, resolved.path).toString()).toBe(
        'spec.labels[app.kubernetes.io/name]',
      );
    expect(resolveFieldPath("['spec'].replicas", schema)).toEqual({ path: ['.spec', '.replicas'] });
  });

  it('refuses paths that leave the schema or are malformed', () => {
    expect(resolveFieldPath('.spec.nothing', schema)).toEqual({ error: 'does not refer to a valid field' });
    expect(resolveFieldPath('.spec.replicas.x', schema)).toEqual({
      error: 'does not refer to a valid field',
    });
    expect(resolveFieldPath('.spec[0]', schema)).toEqual({
      error: 'expected single quoted string but got 0',
    });
    expect(resolveFieldPath('spec', schema)).toEqual({ error: 'expected [ or . but got: spec' });
  });

  it('prints as field.Path does, with <nil> for the root', () => {
    expect(FieldPath.root.toString()).toBe('<nil>');
    expect(FieldPath.root.child('spec').child('ports').index(2).key('a').toString()).toBe('spec.ports[2][a]');
  });
});
