import { goQuote } from './field-error.js';

/**
 * The parts of a URL as Go's net/url parses them, which is what the Kubernetes url library
 * exposes: WHATWG's URL (JavaScript's) normalises (drops default ports, resolves dot segments,
 * lowercases hosts), Go's keeps the text as written.
 */
export interface GoUrl {
  readonly scheme: string;
  readonly opaque: string;
  /** Host or host:port, unescaped. */
  readonly host: string;
  /** The unescaped path. */
  readonly path: string;
  /** The path as written when it differs from the default escaping of `path`. */
  readonly rawPath: string;
  readonly rawQuery: string;
}

type Mode = 'path' | 'pathSegment' | 'host' | 'userPassword' | 'queryComponent' | 'fragment';

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if (mode === 'host' && `!$&'()*+,;=:[]<>"`.includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  if ('$&+,/:;=?@'.includes(c)) {
    switch (mode) {
      case 'path':
        return c === '?';
      case 'pathSegment':
        return '/;,?'.includes(c);
      case 'userPassword':
        return '@/?:'.includes(c);
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(c)) return false;
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function unescape(s: string, mode: Mode): string {
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === '%') {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2]))
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      if (mode === 'host' && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== '%25')
        throw new Error(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      i += 3;
    } else {
      if (mode === 'host' && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode))
        throw new Error(`invalid character ${goQuote(c)} in host name`);
      i++;
    }
  }
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (s[i] === '+' && mode === 'queryComponent') {
      bytes.push(0x20);
      i++;
    } else {
      const c = String.fromCodePoint(s.codePointAt(i)!);
      bytes.push(...encoder.encode(c));
      i += c.length;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

function escape(s: string, mode: Mode): string {
  let out = '';
  for (const byte of encoder.encode(s)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && !shouldEscape(c, mode) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const validOptionalPort = (port: string): boolean => port === '' || /^:[0-9]*$/.test(port);

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1 && !validOptionalPort(host.slice(colon)))
      throw new Error(`invalid port ${goQuote(host.slice(colon))} after host`);
  }
  return unescape(host, 'host');
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new Error('net/url: invalid userinfo');
    for (const part of userinfo.split(':', 2)) unescape(part, 'userPassword');
  }
  return host;
}

function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new Error('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parse(raw: string, viaRequest: boolean): GoUrl {
  if ([...raw].some((c) => c < ' ' || c === '\x7f'))
    throw new Error('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new Error('empty url');
  const empty = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '' };
  if (raw === '*') return { ...empty, path: '*' };
  const [schemeText, afterScheme] = splitScheme(raw);
  const scheme = schemeText.toLowerCase();
  let rest = afterScheme;
  let rawQuery = '';
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) [rest, rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') return { ...empty, scheme, opaque: rest, rawQuery };
    if (viaRequest) throw new Error('invalid URI for request');
    if (rest.split('/', 1)[0].includes(':'))
      throw new Error('first path segment in URL cannot contain colon');
  }
  let host = '';
  if ((scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    host = parseAuthority(authority);
  }
  const path = unescape(rest, 'path');
  const rawPath = escape(path, 'path') === rest ? '' : rest;
  return { scheme, opaque: '', host, path, rawPath, rawQuery };
}

/**
 * Go's url.ParseRequestURI (an absolute URI or an absolute path, as OpenAPI's `uri` format)
 * and then url.Parse (for the fragment), as the Kubernetes url() function does. Throws Go's
 * error text: `parse "<url>": <reason>`.
 */
export function parseRequestUrl(raw: string): GoUrl {
  try {
    parse(raw, true);
    const hash = raw.indexOf('#');
    const url = parse(hash < 0 ? raw : raw.slice(0, hash), false);
    if (hash >= 0) unescape(raw.slice(hash + 1), 'fragment');
    return url;
  } catch (error) {
    throw new Error(`parse ${goQuote(raw)}: ${(error as Error).message}`);
  }
}

/** Go's url.ParseRequestURI error text for the text, undefined when it accepts it (no look at a fragment). */
export function requestUriError(raw: string): string | undefined {
  try {
    parse(raw, true);
    return undefined;
  } catch (error) {
    return `parse ${goQuote(raw)}: ${(error as Error).message}`;
  }
}

/** Whether Go's url.ParseRequestURI accepts the text (isURL). */
export const isRequestUrl = (raw: string): boolean => requestUriError(raw) === undefined;

function splitHostPort(host: string): [string, string] {
  let hostname = host;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon)))
    [hostname, port] = [host.slice(0, colon), host.slice(colon + 1)];
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return [hostname, port];
}

export const hostname = (url: GoUrl): string => splitHostPort(url.host)[0];
export const port = (url: GoUrl): string => splitHostPort(url.host)[1];

/** Go's URL.EscapedPath: the path as written when that is a valid encoding of it. */
export function escapedPath(url: GoUrl): string {
  if (
    url.rawPath !== '' &&
    [...url.rawPath].every((c) => "!$&'()*+,;=:@[]%".includes(c) || !shouldEscape(c, 'path'))
  ) {
    try {
      if (unescape(url.rawPath, 'path') === url.path) return url.rawPath;
    } catch {
      // Not a valid encoding: fall back to escaping the path.
    }
  }
  if (url.path === '*') return '*';
  return escape(url.path, 'path');
}

/** Go's URL.Query: `&`-separated pairs, each unescaped; pairs with `;` or bad escapes are dropped. */
export function query(url: GoUrl): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of url.rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    try {
      const key = unescape(eq < 0 ? pair : pair.slice(0, eq), 'queryComponent');
      const value = unescape(eq < 0 ? '' : pair.slice(eq + 1), 'queryComponent');
      const list = values.get(key);
      if (list) list.push(value);
      else values.set(key, [value]);
    } catch {
      // Go's ParseQuery skips a pair it cannot unescape.
    }
  }
  return values;
}
