import * as pulumi from '@pulumi/pulumi';
import { AggregatedApiServer } from '../../../lib/pulumi/index.js';
import { metricSnapshot } from '../support/definitions.js';
import { valueOf } from './support/mock-deploy.js';

/**
 * What most users' unit tests do: mock every resource by echoing its inputs, so @pulumi/tls's
 * outputs (keys, certificates) are missing. The component must still register its resources.
 */
describe('AggregatedApiServer under mocks that echo their inputs', () => {
  test('GIVEN echo mocks WHEN constructed with generated TLS THEN every object is registered, no rejection escapes', async () => {
    const registered: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args.type);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
      },
      'project',
      'stack',
      false,
    );
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const server = new AggregatedApiServer('echo', {
        name: 'custom-apiserver',
        resources: [metricSnapshot],
      });
      expect(await valueOf(server.apiServiceNames)).toEqual([
        'v1.metrics.example.com',
        'v1beta1.metrics.example.com',
      ]);
      await valueOf(server.objects.deployment?.metadata.name ?? pulumi.output(''));
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(registered).toEqual(
      expect.arrayContaining([
        'kubernetes:core/v1:Secret',
        'kubernetes:apps/v1:Deployment',
        'kubernetes:apiregistration.k8s.io/v1:APIService',
      ]),
    );
  });
});
