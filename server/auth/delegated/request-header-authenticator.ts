import type { IncomingMessage } from 'node:http';
import { headerValues, type ServerRequest } from '../../http/exchange.js';
import { AuthenticationError, type Authenticator, type UserInfo } from '../authenticator.js';
import {
  isSignedBy,
  peerCertificate,
  subjectValues,
  verifyClientCertificate,
} from '../x509-authenticator.js';
import type { RequestHeaderSettings } from './authentication-settings.js';

/** The header names a front proxy uses; for clearing headers, any subset of the settings does. */
export type AuthenticationHeaderNames = Pick<
  RequestHeaderSettings,
  'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'
>;

/** The headers kube-aggregator sends, which kube-apiserver always removes after authentication. */
export const standardAuthenticationHeaders: AuthenticationHeaderNames = {
  usernameHeaders: ['X-Remote-User'],
  uidHeaders: ['X-Remote-Uid'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

/**
 * Front-proxy (kube-aggregator) authentication. The identity headers are believed only from a
 * client whose TLS certificate chains to the request-header CA, is meant for client
 * authentication and, when allowed names are configured, has one of them as CN; then they are
 * removed from the request so nothing downstream mistakes them for anything else.
 *
 * - no certificate, no request-header CA, or a certificate of another CA: `undefined` (not this
 *   authenticator's business; the headers are not trusted, and a client-CA certificate still
 *   authenticates as its own CN further down the chain);
 * - a front-proxy certificate that is expired, not for client auth, or whose CN is not allowed:
 *   AuthenticationError (401);
 * - a good front-proxy certificate without a user name header: `undefined`.
 */
export function requestHeaderAuthenticator(settings: () => RequestHeaderSettings): Authenticator {
  return {
    async authenticate(req): Promise<UserInfo | undefined> {
      const certificate = peerCertificate(req);
      if (!certificate) return undefined;
      const config = settings();
      const issuers = config.caCertificates.filter((ca) => isSignedBy(certificate, ca));
      if (issuers.length === 0) return undefined;
      const problem = verifyClientCertificate(certificate, issuers);
      if (problem) throw new AuthenticationError(`x509: front-proxy ${problem}`);
      const [commonName = ''] = subjectValues(certificate, 'CN');
      if (config.allowedNames.length > 0 && !config.allowedNames.includes(commonName)) {
        throw new AuthenticationError(`x509: subject with cn=${commonName} is not in the allowed list`);
      }
      return userFromHeaders(req, config);
    },
  };
}

/** Reads the identity from the headers (a trusted front proxy's), then removes them. */
export function userFromHeaders(req: ServerRequest, config: AuthenticationHeaderNames): UserInfo | undefined {
  const name = firstValue(req, config.usernameHeaders);
  if (!name) return undefined;
  const uid = firstValue(req, config.uidHeaders);
  // Every header line is one group: a group name may itself contain ", ".
  const groups = config.groupHeaders.flatMap((header) => headerValues(req, header).filter((v) => v !== ''));
  // A Map, not an object: the keys come from header names, `__proto__` included.
  const extra = new Map<string, string[]>();
  for (const prefix of config.extraHeaderPrefixes) {
    const lowerPrefix = prefix.toLowerCase();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const header = req.rawHeaders[i].toLowerCase();
      if (!header.startsWith(lowerPrefix) || header.length === lowerPrefix.length) continue;
      const key = unescapeExtraKey(header.slice(lowerPrefix.length));
      extra.set(key, [...(extra.get(key) ?? []), req.rawHeaders[i + 1]]);
    }
  }
  clearAuthenticationHeaders(req, config);
  return {
    name,
    ...(uid ? { uid } : {}),
    groups,
    ...(extra.size > 0 ? { extra: Object.fromEntries(extra) } : {}),
  };
}

function firstValue(req: ServerRequest, headers: readonly string[]): string | undefined {
  for (const header of headers) {
    const [value] = headerValues(req, header);
    if (value) return value;
  }
  return undefined;
}

/** Extra keys travel percent-encoded (`X-Remote-Extra-Acme.com%2Fproject`); a malformed one is kept as is. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** Removes the identity headers (user, uid, groups, every header with an extra prefix). */
export function clearAuthenticationHeaders(req: ServerRequest, config: AuthenticationHeaderNames): void {
  const exact = new Set(
    [...config.usernameHeaders, ...config.uidHeaders, ...config.groupHeaders].map((h) => h.toLowerCase()),
  );
  const prefixes = config.extraHeaderPrefixes.map((p) => p.toLowerCase()).filter((p) => p !== '');
  removeRequestHeaders(req, (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p)));
}

/**
 * Deletes headers from a request for everyone after us: from rawHeaders (which headerValues
 * reads), headers and, for HTTP/1.1, headersDistinct. Node computes the last two lazily from
 * rawHeaders and a private count, so they are materialised before rawHeaders shrinks.
 */
export function removeRequestHeaders(req: ServerRequest, matches: (lowerCaseName: string) => boolean): void {
  const headers = req.headers as Record<string, unknown>;
  const distinct = (req as Partial<IncomingMessage>).headersDistinct as Record<string, unknown> | undefined;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (matches(raw[i].toLowerCase())) raw.splice(i, 2);
  }
  for (const name of Object.keys(headers)) if (matches(name.toLowerCase())) delete headers[name];
  if (distinct)
    for (const name of Object.keys(distinct)) if (matches(name.toLowerCase())) delete distinct[name];
}
