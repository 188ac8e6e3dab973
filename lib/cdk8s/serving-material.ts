import { resolve } from 'node:path';
import {
  type AggregatedApiServerConfig,
  AggregatedApiServerConfigError,
  servingCertificateSpec,
  type TlsMaterial,
  verifyTlsMaterial,
} from '../core/index.js';
import { ensureServingMaterial } from './synth-time-pki.js';

/**
 * The serving material cdk8s puts in the Secret and the caBundle: generated at synth time (kept
 * in the key store, relative paths against process.cwd()), or the PEMs given, verified. Nothing
 * for cert-manager (issues it in the cluster) and self-signed (the server makes it up).
 */
export function servingMaterial(
  config: AggregatedApiServerConfig,
  logger?: (message: string) => void,
): { material?: TlsMaterial; keyStoreDir?: string } {
  const tls = config.tls;
  const spec = servingCertificateSpec(config);
  if (tls.mode === 'generated') {
    const keyStoreDir = resolve(process.cwd(), tls.keyStoreDir);
    return { material: ensureServingMaterial({ keyStoreDir, spec, ca: tls.ca, log: logger }), keyStoreDir };
  }
  if (tls.mode === 'provided') {
    const material: TlsMaterial = {
      caCertificatePem: tls.caCertificatePem,
      certificatePem: tls.certificatePem,
      privateKeyPem: tls.privateKeyPem,
    };
    const problems = verifyTlsMaterial(material, spec, 'tls (provided)');
    if (problems.length > 0) throw new AggregatedApiServerConfigError(problems);
    return { material };
  }
  return {};
}
