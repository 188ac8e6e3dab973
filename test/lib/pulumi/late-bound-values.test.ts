import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import { bindLateValues } from '../../../lib/pulumi/late-bound-values.js';
import { valueOf } from './support/mock-deploy.js';

/** A renderer shaped like lib/core's: fields copy, encode or hash the values. */
function render(v: Readonly<Record<'cert' | 'key' | 'image', string>>) {
  return {
    workload: {
      image: v.image,
      replicas: 2,
      checksum: createHash('sha256')
        .update(v.cert + v.key)
        .digest('hex'),
    },
    secret: {
      data: { cert: Buffer.from(v.cert).toString('base64'), key: Buffer.from(v.key).toString('base64') },
    },
    names: ['fixed'],
  };
}

describe('bindLateValues', () => {
  test('GIVEN plain strings THEN the bound objects are plain and equal the render', async () => {
    const values = { cert: 'C', key: 'K', image: 'img:1' };
    const { bound, structure } = await runUnderMocks(() => bindLateValues(values, render)).then(
      (d) => d.result,
    );
    expect(bound).toEqual(render(values));
    expect(structure.names).toEqual(['fixed']);
    expect(structure.workload.image).not.toBe('img:1'); // a placeholder: never deploy the structure
  });

  test('GIVEN Outputs THEN each dependent field is an Output of exactly the values it reads', async () => {
    const { result } = await runUnderMocks(() =>
      bindLateValues({ cert: pulumi.output('C'), key: pulumi.secret('K'), image: 'img:1' }, render),
    );
    const { workload, secret, names } = result.bound;
    expect(workload.image).toBe('img:1');
    expect(workload.replicas).toBe(2);
    expect(names).toEqual(['fixed']);
    const cert = pulumi.output(secret.data.cert);
    const key = pulumi.output(secret.data.key);
    const checksum = pulumi.output(workload.checksum);
    expect(await valueOf(cert)).toBe(Buffer.from('C').toString('base64'));
    expect(await valueOf(checksum)).toBe(createHash('sha256').update('CK').digest('hex'));
    expect(await pulumi.isSecret(cert)).toBe(false);
    expect(await pulumi.isSecret(key)).toBe(true);
    expect(await pulumi.isSecret(checksum)).toBe(true);
  });

  test('GIVEN a renderer whose shape depends on a value THEN it is refused', () => {
    expect(() => bindLateValues({ flag: 'x' }, (v) => ({ [v.flag]: 1 }))).toThrow(
      /the late-bound value "flag" changes the shape of the rendered objects/,
    );
  });
});
