import { describe, expect, it } from '@jest/globals';
import { escapePropertyName } from '../../../api/cel/property-name.js';

describe('escapePropertyName', () => {
  it('escapes names as kube-apiserver does and hides names CEL cannot write', () => {
    expect(escapePropertyName('replicas')).toBe('replicas');
    expect(escapePropertyName('x-y.z/w')).toBe('x__dash__y__dot__z__slash__w');
    expect(escapePropertyName('a__b')).toBe('a__underscores__b');
    expect(escapePropertyName('namespace')).toBe('__namespace__');
    expect(escapePropertyName('has space')).toBeUndefined();
  });
});
