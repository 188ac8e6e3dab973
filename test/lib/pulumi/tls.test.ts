import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import { TLS_TYPES } from '../../../lib/pulumi/testing/tls-provider-mocks.js';
import { resolveConfig } from '../../../lib/core/index.js';
import { AggregatedApiServer, AggregatedApiServerConfigError } from '../../../lib/pulumi/index.js';
import { servingMaterial } from '../../../lib/pulumi/serving-material.js';
import { makeCa, makeServingCert, pems } from '../support/pki.js';
import { metricSnapshot } from '../support/definitions.js';
import { SERVICE_NAMES } from '../support/synth.js';
import { deployUnderMocks, isWireSecret, object, unwrapped, valueOf } from './support/mock-deploy.js';

interface SecretObject {
  type: string;
  data: Record<string, string>;
}
interface ApiServiceObject {
  metadata: { annotations?: Record<string, string> };
  spec: { caBundle?: string; insecureSkipTLSVerify?: boolean };
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('AggregatedApiServer certificates (@pulumi/tls, minted for real by the mocks)', () => {
  test('GIVEN generated TLS WHEN deployed THEN the caBundle verifies the serving certificate, which covers the Service names', async () => {
    const { objects } = await deployUnderMocks({
      tls: { mode: 'generated', additionalDnsNames: ['localhost'], additionalIpAddresses: ['127.0.0.1'] },
    });
    const secret = object<SecretObject>(objects, 'Secret', 'custom-apiserver-serving-cert');
    expect(secret.type).toBe('kubernetes.io/tls');
    const ca = new X509Certificate(decode(secret.data['ca.crt']));
    const serving = new X509Certificate(decode(secret.data['tls.crt']));
    for (const apiService of objects.filter((o) => o.kind === 'APIService')) {
      const bundle = new X509Certificate(
        decode((apiService as unknown as ApiServiceObject).spec.caBundle ?? ''),
      );
      expect(bundle.raw.equals(ca.raw)).toBe(true);
      expect(serving.checkIssued(bundle)).toBe(true);
      expect(serving.verify(bundle.publicKey)).toBe(true);
    }
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.subject).toBe('CN=custom-apiserver.custom-apiserver.svc');
    expect(serving.subjectAltName).toBe(
      [...SERVICE_NAMES.map((n) => `DNS:${n}`), 'DNS:localhost', 'IP Address:127.0.0.1'].join(', '),
    );
    for (const name of SERVICE_NAMES) expect(serving.checkHost(name, { subject: 'never' })).toBe(name);
    expect(serving.checkPrivateKey(createPrivateKey(decode(secret.data['tls.key'])))).toBe(true);
    expect(serving.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // server auth only
  });

  test('THEN validity, early renewal and key uses are what lib/core specifies', async () => {
    const { resource, server } = await deployUnderMocks({
      tls: { mode: 'generated', caValidityDays: 1000, servingValidityDays: 90, renewBeforeDays: 10 },
    });
    const ca = resource(TLS_TYPES.selfSignedCert).inputs;
    expect(ca).toMatchObject({
      isCaCertificate: true,
      allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
      validityPeriodHours: 24_000,
      subject: { commonName: 'custom-apiserver/custom-apiserver aggregated API server CA' },
    });
    const serving = resource(TLS_TYPES.locallySignedCert).inputs;
    expect(serving).toMatchObject({
      allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
      validityPeriodHours: 90 * 24,
      earlyRenewalHours: 10 * 24,
    });
    expect(resource(TLS_TYPES.certRequest).inputs).toMatchObject({
      subject: { commonName: 'custom-apiserver.custom-apiserver.svc' },
      dnsNames: SERVICE_NAMES,
    });
    const material = await valueOf(server.tlsMaterial ?? fail('tlsMaterial'));
    const days = (c: X509Certificate) => (Date.parse(c.validTo) - Date.parse(c.validFrom)) / DAY_MS;
    expect(days(new X509Certificate(material.caCertificatePem))).toBe(1000);
    expect(days(new X509Certificate(material.certificatePem))).toBe(90);
  });

  test('GIVEN keyAlgorithm ECDSA P384 THEN both keys are P-384 ECDSA keys', async () => {
    const { resources, server } = await deployUnderMocks({
      tls: { mode: 'generated', keyAlgorithm: 'ECDSA', ecdsaCurve: 'P384' },
    });
    const keys = resources.filter((r) => r.type === TLS_TYPES.privateKey).map((r) => r.inputs);
    expect(keys).toEqual([
      { algorithm: 'ECDSA', ecdsaCurve: 'P384' },
      { algorithm: 'ECDSA', ecdsaCurve: 'P384' },
    ]);
    const material = await valueOf(server.tlsMaterial ?? fail('tlsMaterial'));
    const key = createPrivateKey(material.privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(
      new X509Certificate(material.certificatePem).verify(
        new X509Certificate(material.caCertificatePem).publicKey,
      ),
    ).toBe(true);
  });

  test('THEN private keys and what is derived from them are secrets, the CA certificate and caBundle are not', async () => {
    const { server, resource, resources } = await deployUnderMocks();
    expect(await pulumi.isSecret(server.tlsMaterial ?? fail('tlsMaterial'))).toBe(true);
    expect(await pulumi.isSecret(server.caBundle ?? fail('caBundle'))).toBe(false);
    expect(await pulumi.isSecret(server.caCertificatePem ?? fail('caCertificatePem'))).toBe(false);
    // Keys handed from one @pulumi/tls resource to the next travel as secrets.
    expect(isWireSecret(resource(TLS_TYPES.selfSignedCert).inputs.privateKeyPem)).toBe(true);
    expect(isWireSecret(resource(TLS_TYPES.certRequest).inputs.privateKeyPem)).toBe(true);
    expect(isWireSecret(resource(TLS_TYPES.locallySignedCert).inputs.caPrivateKeyPem)).toBe(true);
    // The Secret's data, and the pods' checksum over the material, are secret.
    expect(isWireSecret(resource('kubernetes:core/v1:Secret', 'test-serving-secret').inputs.data)).toBe(true);
    const template = (
      resource('kubernetes:apps/v1:Deployment').inputs.spec as {
        template: { metadata: { annotations: Record<string, unknown> } };
      }
    ).template;
    expect(isWireSecret(template.metadata.annotations['checksum/serving-cert'])).toBe(true);
    for (const apiService of resources.filter((r) => r.type.endsWith(':APIService'))) {
      const spec = apiService.inputs.spec as Record<string, unknown>;
      expect(isWireSecret(spec.caBundle)).toBe(false);
      expect(typeof spec.caBundle).toBe('string');
    }
  });

  test('GIVEN a CA of the user WHEN deployed THEN no CA is generated and it signs the serving certificate', async () => {
    const userCa = await makeCa('user CA');
    const { resources, objects, server } = await deployUnderMocks({
      tls: {
        mode: 'generated',
        ca: { certificatePem: userCa.certificatePem, privateKeyPem: pulumi.secret(userCa.privateKeyPem) },
      },
    });
    expect(resources.filter((r) => r.type.startsWith('tls:')).map((r) => r.type)).toEqual([
      TLS_TYPES.privateKey,
      TLS_TYPES.certRequest,
      TLS_TYPES.locallySignedCert,
    ]);
    const secret = object<SecretObject>(objects, 'Secret', 'custom-apiserver-serving-cert');
    const serving = new X509Certificate(decode(secret.data['tls.crt']));
    expect(serving.verify(new X509Certificate(userCa.certificatePem).publicKey)).toBe(true);
    expect(await valueOf(server.caCertificatePem ?? fail('ca'))).toBe(userCa.certificatePem);
  });

  test('GIVEN provided PEMs as plain strings THEN they go into the Secret and caBundle unchanged', async () => {
    const ca = await makeCa();
    const cert = await makeServingCert(ca, SERVICE_NAMES);
    const { objects, resources } = await deployUnderMocks({ tls: { mode: 'provided', ...pems(ca, cert) } });
    expect(resources.filter((r) => r.type.startsWith('tls:'))).toHaveLength(0);
    const secret = object<SecretObject>(objects, 'Secret', 'custom-apiserver-serving-cert');
    expect(decode(secret.data['tls.key'])).toBe(cert.privateKeyPem);
    expect(decode(secret.data['tls.crt'])).toBe(cert.certificatePem);
    expect(
      decode(object<ApiServiceObject>(objects, 'APIService', 'v1.metrics.example.com').spec.caBundle ?? ''),
    ).toBe(ca.certificatePem);
  });

  test('GIVEN provided plain-string PEMs that do not match THEN construction fails at once, like cdk8s synth', async () => {
    const ca = await makeCa();
    const cert = await makeServingCert(ca, ['other.example.com']);
    const error = await runUnderMocks(
      () =>
        new AggregatedApiServer('bad', {
          resources: [metricSnapshot],
          tls: { mode: 'provided', ...pems(ca, cert) },
        }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregatedApiServerConfigError);
    expect(String(error)).toMatch(/must have SANs for aggregated-apiserver/);
  });

  test('GIVEN provided PEMs as secret Outputs THEN they are deployed and the key stays secret', async () => {
    const ca = await makeCa();
    const cert = await makeServingCert(ca, SERVICE_NAMES);
    const { resource, server } = await deployUnderMocks({
      tls: {
        mode: 'provided',
        caCertificatePem: pulumi.output(ca.certificatePem),
        certificatePem: pulumi.output(cert.certificatePem),
        privateKeyPem: pulumi.secret(cert.privateKeyPem),
      },
    });
    const data = resource('kubernetes:core/v1:Secret', 'test-serving-secret').inputs.data;
    expect(isWireSecret(data)).toBe(true);
    expect(unwrapped(data)).toMatchObject({ 'tls.key': Buffer.from(cert.privateKeyPem).toString('base64') });
    expect(await pulumi.isSecret(server.tlsMaterial ?? fail('tlsMaterial'))).toBe(true);
  });

  test('GIVEN provided PEM Outputs that do not match THEN the key never resolves, so nothing carrying it is deployed', async () => {
    const cert = await makeServingCert(await makeCa(), SERVICE_NAMES);
    const otherCa = await makeCa('another CA');
    const config = resolveConfig({
      name: 'custom-apiserver',
      resources: [metricSnapshot],
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
    });
    const { result } = await runUnderMocks(() => {
      const material = servingMaterial(
        'mismatch',
        config,
        {
          mode: 'provided',
          pems: {
            caCertificatePem: pulumi.output(otherCa.certificatePem),
            certificatePem: pulumi.output(cert.certificatePem),
            privateKeyPem: pulumi.secret(cert.privateKeyPem),
          },
        },
        {},
      );
      return valueOf(material?.pems.privateKeyPem ?? fail('pems')).catch((e: unknown) => e);
    });
    expect(result).toBeInstanceOf(pulumi.ResourceError);
    expect(String(result)).toMatch(
      /tls \(provided\): the serving certificate \(issuer "CN=test CA"\) is not signed by the CA/,
    );
    expect(String(result)).not.toContain('pulumi up --refresh');
  });

  test('GIVEN cert-manager THEN Issuers and Certificates are awaited until Ready and the APIServices ask for CA injection', async () => {
    const { objects, server, resources } = await deployUnderMocks({ tls: { mode: 'cert-manager' } });
    const certManager = objects.filter((o) => o.apiVersion === 'cert-manager.io/v1');
    expect(certManager.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Issuer/custom-apiserver-selfsigned',
      'Certificate/custom-apiserver-ca',
      'Issuer/custom-apiserver-ca',
      'Certificate/custom-apiserver-serving',
    ]);
    for (const o of certManager)
      expect(o.metadata.annotations?.['pulumi.com/waitFor']).toBe('condition=Ready');
    expect(resources.filter((r) => r.type === 'kubernetes:cert-manager.io/v1:Certificate')).toHaveLength(2);
    const apiService = object<ApiServiceObject>(objects, 'APIService', 'v1.metrics.example.com');
    expect(apiService.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
      'custom-apiserver/custom-apiserver-serving',
    );
    expect(apiService.spec.caBundle).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([
      'custom-apiserver-etcd-tls',
    ]);
    expect(server.caBundle).toBeUndefined();
    expect(server.tlsMaterial).toBeUndefined();
  });

  test('GIVEN self-managed THEN no certificate is made, no key is in the stack, and the server manages the caBundle', async () => {
    const { server, objects, resources } = await deployUnderMocks({ tls: { mode: 'self-managed' } });
    expect(resources.filter((r) => r.type.startsWith('tls:'))).toHaveLength(0);
    expect(server.caBundle).toBeUndefined();
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    for (const a of objects.filter((o) => o.kind === 'APIService')) {
      expect((a as unknown as ApiServiceObject).spec).not.toHaveProperty('caBundle');
    }
    expect(object<{ type: string }>(objects, 'Secret', 'custom-apiserver-serving-cert').type).toBe('Opaque');
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Role', 'RoleBinding']));
  });

  test('GIVEN self-signed with insecureSkipTLSVerify THEN no certificate is made and the APIServices skip verification', async () => {
    const { objects, resources } = await deployUnderMocks({
      replicas: 1,
      storage: { type: 'embedded' },
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
    });
    expect(resources.filter((r) => r.type.startsWith('tls:'))).toHaveLength(0);
    expect(
      object<ApiServiceObject>(objects, 'APIService', 'v1.metrics.example.com').spec.insecureSkipTLSVerify,
    ).toBe(true);
  });
});

function fail(what: string): never {
  throw new Error(`missing ${what}`);
}
