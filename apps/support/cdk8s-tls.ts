import type { Cdk8sTlsOptions } from '../../lib/cdk8s/index.js';
import type { EnvironmentServing } from './deployment-environment.js';

/**
 * The cdk8s construct's certificate options for what the environment asks: a generated
 * certificate is kept in the key store `keyStoreDir` (the construct's default when absent).
 */
export function cdk8sTls(tls: EnvironmentServing['tls'], keyStoreDir: string | undefined): Cdk8sTlsOptions {
  return tls.mode === 'generated'
    ? { ...tls, mode: 'generated', keyStoreDir }
    : { ...tls, mode: 'self-managed' };
}
