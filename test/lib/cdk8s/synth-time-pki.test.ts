import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureServingMaterial, KEY_STORE_FILES } from '../../../lib/cdk8s/index.js';
import { resolveConfig, servingCertificateSpec } from '../../../lib/core/index.js';
import { chainVerifies, makeCa } from '../support/pki.js';
import { cleanupTempDirs, tempDir } from '../support/synth.js';
import { metricSnapshot } from '../support/definitions.js';

afterAll(cleanupTempDirs);

const DAY = 86400000;
const spec = servingCertificateSpec(
  resolveConfig({
    name: 'custom-apiserver',
    resources: [metricSnapshot],
  }),
);

function ensure(keyStoreDir: string, now?: Date) {
  const logs: string[] = [];
  const material = ensureServingMaterial({ keyStoreDir, spec, log: (m) => logs.push(m), now });
  return { material, logs };
}

describe('synth-time PKI', () => {
  test('GIVEN an empty key store THEN a CA and a chained serving certificate are generated once', async () => {
    const dir = tempDir();
    const first = ensure(dir);
    expect(first.logs).toHaveLength(2);
    await expect(chainVerifies(first.material.certificatePem, first.material.caCertificatePem)).resolves.toBe(
      true,
    );
    const second = ensure(dir);
    expect(second.material).toEqual(first.material);
    expect(second.logs).toEqual([]);
  });

  test('GIVEN a serving certificate close to expiry THEN it is re-issued from the same CA with the same key', () => {
    const dir = tempDir();
    const first = ensure(dir);
    const later = new Date(Date.now() + 340 * DAY);
    const renewed = ensure(dir, later);
    expect(renewed.logs.join()).toMatch(/re-issued the serving certificate from the same CA \(it expires on/);
    expect(renewed.material.caCertificatePem).toBe(first.material.caCertificatePem);
    expect(renewed.material.privateKeyPem).toBe(first.material.privateKeyPem);
    expect(Date.parse(new X509Certificate(renewed.material.certificatePem).validTo)).toBeGreaterThan(
      later.getTime() + 364 * DAY,
    );
  });

  test('GIVEN a serving certificate signed by a CA that is no longer stored THEN it is re-issued by the stored CA', () => {
    const dir = tempDir();
    ensure(dir);
    const foreignCert = readFileSync(join(dir, KEY_STORE_FILES.certificate), 'utf8');
    rmSync(join(dir, KEY_STORE_FILES.caCertificate));
    rmSync(join(dir, KEY_STORE_FILES.caKey));
    const next = ensure(dir);
    expect(next.logs.join('\n')).toMatch(/generated a new CA/);
    expect(next.logs.join('\n')).toMatch(/not signed by the current CA/);
    expect(next.material.certificatePem).not.toBe(foreignCert);
  });

  test('GIVEN only half of the CA THEN it refuses rather than silently replacing the CA', () => {
    const dir = tempDir();
    ensure(dir);
    rmSync(join(dir, KEY_STORE_FILES.caKey));
    expect(() => ensure(dir)).toThrow(/holds only half of the CA/);
  });

  test('GIVEN a CA key that does not match the CA certificate THEN it refuses', () => {
    const dir = tempDir();
    const other = tempDir();
    ensure(dir);
    ensure(other);
    writeFileSync(join(dir, KEY_STORE_FILES.caKey), readFileSync(join(other, KEY_STORE_FILES.caKey)));
    expect(() => ensure(dir)).toThrow(/ca\.key does not belong to/);
  });

  test('GIVEN an expired stored CA THEN it refuses with rotation instructions', () => {
    const dir = tempDir();
    ensure(dir);
    expect(() => ensure(dir, new Date(Date.now() + 3651 * DAY))).toThrow(
      /expired on .*delete ca\.crt, ca\.key, tls\.crt and tls\.key/,
    );
  });

  test('GIVEN a user CA that is not RSA THEN it refuses', async () => {
    const ca = await makeCa();
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() =>
      ensureServingMaterial({
        keyStoreDir: tempDir(),
        spec,
        ca: { certificatePem: ca.certificatePem, privateKeyPem: ec },
        log: () => undefined,
      }),
    ).toThrow(/must be an RSA key/);
  });
});
