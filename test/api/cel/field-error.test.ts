import { describe, expect, it } from '@jest/globals';
import { fieldCause, goFloat, goQuote, omitValue } from '../../../api/cel/field-error.js';

describe('field errors', () => {
  it('prints floats as Go prints a float64 with %v', () => {
    expect(goFloat(2.5)).toBe('2.5');
    expect(goFloat(123456.5)).toBe('123456.5');
    expect(goFloat(1234567.5)).toBe('1.2345675e+06');
    expect(goFloat(0.00001)).toBe('1e-05');
  });

  it('quotes strings as Go %q does', () => {
    expect(goQuote('a"b\\c\n\u0001é')).toBe('"a\\"b\\\\c\\n\\x01é"');
  });

  it('words each reason as field.Error does', () => {
    expect(fieldCause('FieldValueInvalid', 'spec.a', 3, 'too big')).toEqual({
      reason: 'FieldValueInvalid',
      field: 'spec.a',
      message: 'Invalid value: 3: too big',
    });
    expect(fieldCause('FieldValueInvalid', 'spec', omitValue, 'bad').message).toBe('Invalid value: bad');
    expect(fieldCause('FieldValueForbidden', 'spec', 'x', 'no').message).toBe('Forbidden: no');
    expect(fieldCause('FieldValueRequired', 'spec', 'x', 'need').message).toBe('Required value: need');
    expect(fieldCause('FieldValueDuplicate', 'spec', 'x', 'ignored').message).toBe('Duplicate value: "x"');
  });
});
