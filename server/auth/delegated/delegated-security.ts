import type { KubeConfig } from '@kubernetes/client-node';
import type { HealthCheck } from '../../http/health.js';
import type { ServerFlags } from '../../options/server-flags.js';
import type { Logger } from '../../util/logger.js';
import { unionAuthenticator, type Authenticator } from '../authenticator.js';
import { privilegedAuthorizer, type Authorizer } from '../authorizer.js';
import { x509Authenticator } from '../x509-authenticator.js';
import { authenticationConfigurationOptions } from './authentication-configuration-options.js';
import { DelegatedAuthenticationConfiguration } from './authentication-configuration.js';
import {
  describeKubeConfig,
  loadKubeConfig,
  NotInClusterError,
  type LoadKubeConfigOptions,
} from './kube-client.js';
import {
  clearAuthenticationHeaders,
  removeRequestHeaders,
  requestHeaderAuthenticator,
  standardAuthenticationHeaders,
} from './request-header-authenticator.js';
import { subjectAccessReviewAuthorizer } from './subject-access-review-authorizer.js';
import { tokenReviewAuthenticator } from './token-review-authenticator.js';

export interface DelegatedSecurity {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  /** For /readyz: fails until the authentication configuration has been read once. */
  readonly readyCheck: HealthCheck;
  /** The live authentication configuration (CAs, header names), for diagnostics. */
  readonly configuration: DelegatedAuthenticationConfiguration;
  /** Stops the ConfigMap watch and the CA file watches. */
  stop(): void;
  /** stop(), and resolves once no ConfigMap list or watch is on its way. */
  close(): Promise<void>;
}

/** For tests: where the in-cluster service account lives, and the ConfigMap retry pace. */
export interface DelegatedSecurityOptions extends Pick<LoadKubeConfigOptions, 'serviceAccountRoot'> {
  readonly retryBackoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly fileCheckIntervalMs?: number;
}

const deniedWithoutKubeconfig: Authorizer = {
  authorize: async () => ({
    allowed: false,
    reason: 'no authorization kubeconfig: only system:masters and the always-allowed paths are authorized',
  }),
};

/**
 * Delegated authentication and authorization, as k8s.io/apiserver's
 * DelegatingAuthenticationOptions and DelegatingAuthorizationOptions set them up for an
 * aggregated API server:
 *
 * - authentication, in order: front-proxy request headers (request-header CA), client
 *   certificates (client CA), bearer tokens (TokenReview); anonymous when none applies; then
 *   the standard and configured X-Remote-* headers and Authorization are removed, whoever
 *   authenticated the request;
 * - authorization: system:masters and --authorization-always-allow-paths, then
 *   SubjectAccessReview.
 *
 * The kube clients come from --authentication-kubeconfig / --authorization-kubeconfig, else
 * --kubeconfig, else the pod's service account. Without any of them (not in a cluster, no
 * kubeconfig) startup fails, except with --authentication-skip-lookup, which declares the
 * CA files complete: then bearer tokens are not accepted (no TokenReview) and only
 * system:masters and the always-allowed paths are authorized (no SubjectAccessReview), with a
 * warning. An explicitly named kubeconfig that cannot be loaded is always fatal.
 */
export async function createDelegatedSecurity(
  flags: ServerFlags,
  log: Logger,
  options: DelegatedSecurityOptions = {},
): Promise<DelegatedSecurity> {
  const authenticationKubeConfig = kubeConfigFor(
    flags.authenticationKubeconfig || flags.kubeconfig,
    flags.authenticationKubeconfig
      ? '--authentication-kubeconfig'
      : '--authentication-kubeconfig/--kubeconfig',
    flags,
    log,
    options,
  );
  const authorizationKubeConfig = kubeConfigFor(
    flags.authorizationKubeconfig || flags.kubeconfig,
    flags.authorizationKubeconfig ? '--authorization-kubeconfig' : '--authorization-kubeconfig/--kubeconfig',
    flags,
    log,
    options,
  );

  const configuration = new DelegatedAuthenticationConfiguration({
    ...authenticationConfigurationOptions(flags, authenticationKubeConfig, log),
    ...(options.retryBackoff ? { retryBackoff: options.retryBackoff } : {}),
    ...(options.fileCheckIntervalMs !== undefined
      ? { fileCheckIntervalMs: options.fileCheckIntervalMs }
      : {}),
  });
  await configuration.start();

  const authenticators: Authenticator[] = [
    requestHeaderAuthenticator(() => configuration.requestHeader()),
    x509Authenticator(() => configuration.clientCAs()),
  ];
  if (authenticationKubeConfig) {
    authenticators.push(
      tokenReviewAuthenticator({
        kubeConfig: authenticationKubeConfig,
        cacheTtlMs: flags.authenticationTokenWebhookCacheTtl,
        log,
      }),
    );
  } else {
    log.info(0, 'no authentication kubeconfig: bearer tokens are not accepted (no TokenReview)');
  }
  const union = unionAuthenticator(authenticators, true);
  const authenticator: Authenticator = {
    async authenticate(req) {
      const user = await union.authenticate(req);
      // As kube-apiserver's authentication filter: once authenticated, no one downstream sees credentials.
      removeRequestHeaders(req, (name) => name === 'authorization');
      clearAuthenticationHeaders(req, standardAuthenticationHeaders);
      clearAuthenticationHeaders(req, configuration.requestHeader());
      return user;
    },
  };

  let sar: Authorizer;
  if (authorizationKubeConfig) {
    sar = subjectAccessReviewAuthorizer({
      kubeConfig: authorizationKubeConfig,
      authorizedTtlMs: flags.authorizationWebhookCacheAuthorizedTtl,
      unauthorizedTtlMs: flags.authorizationWebhookCacheUnauthorizedTtl,
      log,
    });
  } else {
    log.info(
      0,
      'no authorization kubeconfig: only system:masters and the always-allowed paths are authorized (no SubjectAccessReview)',
    );
    sar = deniedWithoutKubeconfig;
  }

  return {
    authenticator,
    authorizer: privilegedAuthorizer(flags.authorizationAlwaysAllowPaths, sar),
    readyCheck: configuration.healthCheck,
    configuration,
    stop: () => configuration.stop(),
    close: () => configuration.close(),
  };
}

function kubeConfigFor(
  path: string,
  flagName: string,
  flags: ServerFlags,
  log: Logger,
  options: DelegatedSecurityOptions,
): KubeConfig | undefined {
  try {
    const kubeConfig = loadKubeConfig(path, { flagName, serviceAccountRoot: options.serviceAccountRoot });
    log.info(1, 'delegating to the kube-apiserver', {
      flag: flagName,
      server: describeKubeConfig(kubeConfig),
    });
    return kubeConfig;
  } catch (error) {
    if (error instanceof NotInClusterError && flags.authenticationSkipLookup) return undefined;
    if (error instanceof NotInClusterError) {
      throw new NotInClusterError(
        `${error.message}, or pass --authentication-skip-lookup with --client-ca-file/--requestheader-client-ca-file to run without a cluster (no TokenReview, no SubjectAccessReview)`,
      );
    }
    throw error;
  }
}
