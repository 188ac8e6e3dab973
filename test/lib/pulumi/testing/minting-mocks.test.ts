import { X509Certificate } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { AggregatedApiServer } from '../../../../lib/pulumi/index.js';
import { mintingMocks } from '../../../../lib/pulumi/testing/index.js';
import { metricSnapshot } from '../../support/definitions.js';
import { valueOf } from '../support/mock-deploy.js';

describe('aggregated-apiserver/pulumi/testing', () => {
  test("GIVEN mintingMocks around the user's own mocks THEN the caBundle is a real CA and other resources go to the user's mocks", async () => {
    const seen: string[] = [];
    await pulumi.runtime.setMocks(
      mintingMocks({
        newResource: (args) => {
          seen.push(args.type);
          return { id: `${args.name}-id`, state: { ...args.inputs, mocked: true } };
        },
      }),
      'project',
      'stack',
      false,
    );
    const server = new AggregatedApiServer('minted', {
      name: 'custom-apiserver',
      resources: [metricSnapshot],
    });
    const caBundle = await valueOf(server.caBundle ?? pulumi.output(''));
    const ca = new X509Certificate(Buffer.from(caBundle, 'base64').toString('utf8'));
    expect(ca.ca).toBe(true);
    const tlsMaterial = await valueOf(server.tlsMaterial ?? pulumi.output(undefined));
    expect(new X509Certificate(tlsMaterial?.certificatePem ?? '').checkIssued(ca)).toBe(true);
    await valueOf(server.apiServiceNames);
    expect(seen).toContain('kubernetes:apps/v1:Deployment');
    expect(seen.filter((t) => t.startsWith('tls:'))).toEqual([]);
  });
});
