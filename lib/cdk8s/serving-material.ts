import { isAbsolute, resolve } from 'node:path';
import {
  type AggregatedApiServerConfig,
  AggregatedApiServerConfigError,
  servingCertificateSpec,
  type TlsMaterial,
  verifyTlsMaterial,
} from '../core/index.js';
import { appDirectory } from './app-directory.js';
import type { Cdk8sTlsOptions } from './props.js';
import { ensureServingMaterial } from './synth-time-pki.js';

/** The default key store directory, relative to the app's directory. */
export function defaultKeyStoreDir(namespace: string, name: string): string {
  return `.aggregated-apiserver/pki/${namespace}-${name}`;
}

/**
 * The serving material cdk8s puts in the Secret and the caBundle: generated at synth time (kept
 * in the key store), or the PEMs given, verified. Nothing for self-managed and self-signed (the
 * server makes it) and cert-manager (issues it in the cluster).
 */
export function servingMaterial(
  config: AggregatedApiServerConfig,
  tls: Cdk8sTlsOptions | undefined,
  logger?: (message: string) => void,
): { material?: TlsMaterial; keyStoreDir?: string } {
  const spec = servingCertificateSpec(config);
  if (config.tls.mode === 'generated' && tls?.mode === 'generated') {
    const dir = tls.keyStoreDir ?? defaultKeyStoreDir(config.namespace, config.name);
    const keyStoreDir = isAbsolute(dir) ? dir : resolve(appDirectory(), dir);
    const material = ensureServingMaterial({
      keyStoreDir,
      spec,
      ca: config.tls.ca,
      requireExistingCa: tls.requireExistingCa,
      log: logger,
    });
    return { material, keyStoreDir };
  }
  if (config.tls.mode === 'provided') {
    const material: TlsMaterial = {
      caCertificatePem: config.tls.caCertificatePem,
      certificatePem: config.tls.certificatePem,
      privateKeyPem: config.tls.privateKeyPem,
    };
    const problems = verifyTlsMaterial(material, spec, 'tls (provided)');
    if (problems.length > 0) throw new AggregatedApiServerConfigError(problems);
    return { material };
  }
  return {};
}
