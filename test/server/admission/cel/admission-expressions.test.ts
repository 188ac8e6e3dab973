import {
  AdmissionEvaluation,
  compileAdmissionExpression,
  OutOfBudgetError,
  type AdmissionExpression,
} from '../../../../server/admission/cel/admission-expressions.js';

function compiled(source: string, variables: string[] = []): AdmissionExpression {
  const result = compileAdmissionExpression(
    source,
    { params: true, namespaceObject: true, variables },
    undefined,
  );
  if ('error' in result) throw new Error(result.error);
  return result.expression;
}

const object = { metadata: { name: 'a', labels: { team: 'x' } }, spec: { items: [1, 2, 3] } };

describe('compileAdmissionExpression', () => {
  test('declares params and namespaceObject only when asked', () => {
    expect(compileAdmissionExpression('params.x == 1', {}, 'bool')).toEqual({
      error: expect.stringContaining("undeclared reference to 'params'"),
    });
    expect('expression' in compileAdmissionExpression('params.x == 1', { params: true }, 'bool')).toBe(true);
  });

  test('refuses an expression of the wrong result type and an unknown variable', () => {
    expect(compileAdmissionExpression("'text'", {}, 'bool')).toEqual({ error: 'must evaluate to bool' });
    expect(compileAdmissionExpression('variables.b', { variables: ['a'] }, undefined)).toEqual({
      error: expect.stringContaining("undefined field 'b'"),
    });
  });
});

describe('AdmissionEvaluation', () => {
  test('evaluates against the object and the request', () => {
    const evaluation = new AdmissionEvaluation({ object, request: { operation: 'CREATE' } });
    expect(
      evaluation.evaluate(compiled("object.metadata.labels.team == 'x' && request.operation == 'CREATE'")),
    ).toEqual({
      value: true,
    });
    expect(evaluation.evaluate(compiled('object.spec.items.map(i, i * 2)[2] == 6'))).toEqual({ value: true });
  });

  test('reports a failed evaluation as kube words it', () => {
    const evaluation = new AdmissionEvaluation({ object, request: {} });
    expect(evaluation.evaluate(compiled('object.spec.absent'))).toEqual({
      error: "expression 'object.spec.absent' resulted in error: no such key: absent",
    });
  });

  test('makes variables visible to later expressions', () => {
    const evaluation = new AdmissionEvaluation({ object, request: {} });
    evaluation.defineVariable('count', compiled('size(object.spec.items)'));
    expect(evaluation.evaluate(compiled('variables.count == 3', ['count']))).toEqual({ value: true });
  });

  test('stops an expression past the per-call limit, and everything past the budget', () => {
    const expensive = compiled('object.spec.items.all(i, object.spec.items.all(j, i + j > 0))');
    const limited = new AdmissionEvaluation(
      { object, request: {} },
      { perCallLimit: 5, runtimeCostBudget: 1000 },
    );
    expect(limited.evaluate(expensive)).toEqual({
      error: expect.stringContaining('operation cancelled: actual cost limit exceeded'),
    });
    const poor = new AdmissionEvaluation(
      { object, request: {} },
      { perCallLimit: 1000, runtimeCostBudget: 100 },
    );
    const results: unknown[] = [];
    expect(() => {
      for (let i = 0; i < 100; i++) results.push(poor.evaluate(expensive));
    }).toThrow(OutOfBudgetError);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => JSON.stringify(r) === '{"value":true}')).toBe(true);
  });
});
