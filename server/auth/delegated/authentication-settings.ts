import type { X509Certificate } from 'node:crypto';

/** Who may assert identities in headers, and in which headers (the front proxy: kube-aggregator). */
export interface RequestHeaderSettings {
  /** CAs the front proxy's client certificate must chain to; empty: request-header authentication is off. */
  readonly caCertificates: readonly X509Certificate[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
  /** Common names the front proxy's certificate may have; empty: any certificate from the CAs. */
  readonly allowedNames: readonly string[];
}

/** What the client-certificate and request-header authenticators trust, at one moment. */
export interface AuthenticationSettings {
  /** CAs of client certificates that authenticate as their CN (user) and O (groups). */
  readonly clientCA: readonly X509Certificate[];
  readonly requestHeader: RequestHeaderSettings;
}

/** Request-header authentication off: no CA, no headers. */
export const noRequestHeader: RequestHeaderSettings = {
  caCertificates: [],
  usernameHeaders: [],
  uidHeaders: [],
  groupHeaders: [],
  extraHeaderPrefixes: [],
  allowedNames: [],
};

/** Nothing trusted: no client CA, no front proxy. */
export const noAuthenticationSettings: AuthenticationSettings = {
  clientCA: [],
  requestHeader: noRequestHeader,
};

/** Whether two settings trust the same certificates and headers (to log only real changes). */
export function sameAuthenticationSettings(a: AuthenticationSettings, b: AuthenticationSettings): boolean {
  return describe(a) === describe(b);
}

function describe(settings: AuthenticationSettings): string {
  const { caCertificates, ...lists } = settings.requestHeader;
  return `${fingerprint(settings.clientCA)}|${fingerprint(caCertificates)}|${JSON.stringify(lists)}`;
}

function fingerprint(certificates: readonly X509Certificate[]): string {
  return certificates.map((c) => c.fingerprint256).join(',');
}
