import type { X509Certificate } from 'node:crypto';
import type { RequestHeaderFlags } from './authentication-configuration-options.js';
import type { AuthenticationSettings } from './authentication-settings.js';

/** The defaults of Go's RequestHeaderAuthenticationOptions (no UID header: Go does not default it either). */
const defaultRequestHeaders = {
  usernameHeaders: ['X-Remote-User'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

/** The CA bundles read from the flags' files; undefined where the flag is not set. */
export interface FileCAs {
  readonly clientCA: readonly X509Certificate[] | undefined;
  readonly requestHeaderCA: readonly X509Certificate[] | undefined;
}

/**
 * Flags over the ConfigMap, as k8s.io/apiserver combines them: --client-ca-file replaces the
 * ConfigMap's client CA; --requestheader-client-ca-file replaces all of the ConfigMap's
 * request-header settings with the --requestheader-* flags (Go's defaults for the header names
 * left unset), and without it the flags are not used at all.
 */
export function mergeAuthenticationSettings(
  flags: RequestHeaderFlags,
  files: FileCAs,
  fromConfigMap: AuthenticationSettings,
): AuthenticationSettings {
  const orDefault = (list: readonly string[], fallback: readonly string[]): readonly string[] =>
    list.length > 0 ? list : fallback;
  return {
    clientCA: files.clientCA ?? fromConfigMap.clientCA,
    requestHeader: files.requestHeaderCA
      ? {
          caCertificates: files.requestHeaderCA,
          usernameHeaders: orDefault(flags.usernameHeaders, defaultRequestHeaders.usernameHeaders),
          uidHeaders: flags.uidHeaders,
          groupHeaders: orDefault(flags.groupHeaders, defaultRequestHeaders.groupHeaders),
          extraHeaderPrefixes: orDefault(
            flags.extraHeaderPrefixes,
            defaultRequestHeaders.extraHeaderPrefixes,
          ),
          allowedNames: flags.allowedNames,
        }
      : fromConfigMap.requestHeader,
  };
}

/** Whether any --requestheader-* list flag is set (they apply only with --requestheader-client-ca-file). */
export function hasRequestHeaderListFlags(flags: RequestHeaderFlags): boolean {
  return [
    flags.usernameHeaders,
    flags.uidHeaders,
    flags.groupHeaders,
    flags.extraHeaderPrefixes,
    flags.allowedNames,
  ].some((list) => list.length > 0);
}
