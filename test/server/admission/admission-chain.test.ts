import type { KubeObject } from '../../../api/index.js';
import { AdmissionChain } from '../../../server/admission/admission-chain.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../server/admission/admission-plugin.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';

const attributes = (object: KubeObject): AdmissionAttributes => ({
  operation: 'CREATE',
  definition: metricSnapshot,
  resource: { group: 'metrics.example.com', version: 'v1', resource: 'metricsnapshots' },
  kind: { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
  name: 'a',
  namespace: 'default',
  object,
  user: { name: 'u', groups: [] },
  dryRun: false,
  options: {},
  warnings: [],
});

const labelling = (name: string, order: string[]): AdmissionPlugin => ({
  name,
  admit: async (a) => {
    order.push(`admit ${name}`);
    return {
      ...a.object!,
      metadata: { ...a.object!.metadata, labels: { ...a.object!.metadata.labels, [name]: 'yes' } },
    };
  },
  validate: async (a) => {
    order.push(`validate ${name} ${Object.keys(a.object?.metadata.labels ?? {}).join('+')}`);
  },
});

describe('AdmissionChain', () => {
  test('mutating plugins run in order, each on what the previous one made', async () => {
    const order: string[] = [];
    const chain = new AdmissionChain([labelling('first', order), labelling('second', order)]);
    const admitted = await chain.admit(attributes({ metadata: { name: 'a' } }));
    expect(admitted?.metadata.labels).toEqual({ first: 'yes', second: 'yes' });
    await chain.validate(attributes(admitted!));
    expect(order).toEqual([
      'admit first',
      'admit second',
      'validate first first+second',
      'validate second first+second',
    ]);
  });

  test('the first validating plugin that refuses decides, and the rest do not run', async () => {
    const ran: string[] = [];
    const chain = new AdmissionChain([
      { name: 'no', validate: async () => Promise.reject(new Error('refused')) },
      { name: 'later', validate: async () => void ran.push('later') },
    ]);
    await expect(chain.validate(attributes({ metadata: {} }))).rejects.toThrow('refused');
    expect(ran).toEqual([]);
  });
});
