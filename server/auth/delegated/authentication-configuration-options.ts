import type { KubeConfig } from '@kubernetes/client-node';
import type { ServerFlags } from '../../options/server-flags.js';
import type { Logger } from '../../util/logger.js';

/** The --requestheader-* flags. */
export interface RequestHeaderFlags {
  /** --requestheader-client-ca-file; empty: the request-header settings come from the ConfigMap. */
  readonly clientCaFile: string;
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
  readonly allowedNames: readonly string[];
}

/** A delay that doubles after each failure, from `initialMs` up to `maxMs`. */
export interface RetryBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface AuthenticationConfigurationOptions {
  /** --client-ca-file; empty: from the ConfigMap (unless lookup is skipped). */
  readonly clientCaFile: string;
  /** --requestheader-*: used, all together, when `clientCaFile` is set; otherwise the ConfigMap decides. */
  readonly requestHeader: RequestHeaderFlags;
  /** --authentication-skip-lookup */
  readonly skipLookup: boolean;
  /** --authentication-tolerate-lookup-failure */
  readonly tolerateLookupFailure: boolean;
  /** Where the ConfigMap is read; required when a lookup is needed. */
  readonly kubeConfig?: KubeConfig;
  readonly log: Logger;
  /**
   * How often the CA files are checked for changes.
   * @default 1000
   */
  readonly fileCheckIntervalMs?: number;
  /**
   * Timeout of each ConfigMap list, as Go's lookup.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Delay between failed list/watch attempts.
   * @default { initialMs: 500, maxMs: 30000 }
   */
  readonly retryBackoff?: RetryBackoff;
  /**
   * Server-side timeout of each watch.
   * @default 300 to 600, random per watch (as client-go's reflector)
   */
  readonly watchTimeoutSeconds?: number;
}

/** The options the server's flags describe. */
export function authenticationConfigurationOptions(
  flags: ServerFlags,
  kubeConfig: KubeConfig | undefined,
  log: Logger,
): AuthenticationConfigurationOptions {
  return {
    clientCaFile: flags.clientCaFile,
    requestHeader: {
      clientCaFile: flags.requestheaderClientCaFile,
      usernameHeaders: flags.requestheaderUsernameHeaders,
      uidHeaders: flags.requestheaderUidHeaders,
      groupHeaders: flags.requestheaderGroupHeaders,
      extraHeaderPrefixes: flags.requestheaderExtraHeadersPrefix,
      allowedNames: flags.requestheaderAllowedNames,
    },
    skipLookup: flags.authenticationSkipLookup,
    tolerateLookupFailure: flags.authenticationTolerateLookupFailure,
    kubeConfig,
    log,
  };
}
