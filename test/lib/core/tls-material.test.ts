import { resolveConfig, servingCertificateSpec, verifyTlsMaterial } from '../../../lib/core/index.js';
import { makeCa, makeServingCert, pems } from '../support/pki.js';
import { metricSnapshot } from '../support/definitions.js';

const config = resolveConfig({
  name: 'custom-apiserver',
  resources: [metricSnapshot],
});
const spec = servingCertificateSpec(config);

describe('verifyTlsMaterial', () => {
  test('GIVEN a serving certificate for the Service signed by the CA THEN there is no problem', async () => {
    const ca = await makeCa();
    const leaf = await makeServingCert(ca, spec.dnsNames);
    const problems = verifyTlsMaterial(pems(ca, leaf), spec, 'test');
    expect(problems).toEqual([]);
  });

  test('GIVEN a certificate from another CA, a foreign key and missing SANs THEN each is reported', async () => {
    const ca = await makeCa('right CA');
    const other = await makeCa('other CA');
    const leaf = await makeServingCert(other, ['somewhere.else.svc']);
    const foreign = await makeServingCert(ca, spec.dnsNames);
    const problems = verifyTlsMaterial(pems(ca, leaf, foreign), spec, 'test').join('\n');
    expect(problems).toMatch(/is not signed by the CA/);
    expect(problems).toMatch(/private key does not belong to the serving certificate/);
    expect(problems).toMatch(/must have SANs for custom-apiserver\.custom-apiserver\.svc/);
  });

  test('GIVEN a leaf certificate as CA THEN it is rejected as not a CA', async () => {
    const ca = await makeCa();
    const leaf = await makeServingCert(ca, spec.dnsNames);
    const problems = verifyTlsMaterial(pems(leaf, leaf), spec, 'test');
    expect(problems.join('\n')).toMatch(/is not a CA/);
  });

  test('GIVEN garbage THEN parse errors are reported, not thrown', () => {
    const problems = verifyTlsMaterial(
      { caCertificatePem: 'x', certificatePem: 'y', privateKeyPem: 'z' },
      spec,
      'test',
    );
    expect(problems).toHaveLength(3);
  });
});
