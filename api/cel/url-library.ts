import { celFunc, celMethod, CelScalar, listType, mapType, type CelFunc } from '@bufbuild/cel';
import { escapedPath, hostname, isRequestUrl, parseRequestUrl, port, query, type GoUrl } from './go-url.js';
import { opaqueValue, payloadOf } from './opaque-value.js';

/** The Kubernetes url library (k8s.io/apiserver/pkg/cel/library/urls.go). */
const URL_TYPE = 'kubernetes.URL';
const URL = listType(CelScalar.DYN);
const { STRING, BOOL } = CelScalar;

const urlOf = (value: unknown): GoUrl => payloadOf<GoUrl>(value, URL_TYPE);

function toUrl(text: string) {
  try {
    return opaqueValue(URL_TYPE, text, parseRequestUrl(text));
  } catch (error) {
    throw new Error(`URL parse error during conversion from string: ${(error as Error).message}`);
  }
}

export const urlLibrary: readonly CelFunc[] = [
  celFunc('url', [STRING], URL, toUrl),
  celFunc('isURL', [STRING], BOOL, isRequestUrl),
  celMethod('getScheme', URL, [], STRING, function () {
    return urlOf(this).scheme;
  }),
  celMethod('getHost', URL, [], STRING, function () {
    return urlOf(this).host;
  }),
  celMethod('getHostname', URL, [], STRING, function () {
    return hostname(urlOf(this));
  }),
  celMethod('getPort', URL, [], STRING, function () {
    return port(urlOf(this));
  }),
  celMethod('getEscapedPath', URL, [], STRING, function () {
    return escapedPath(urlOf(this));
  }),
  celMethod('getQuery', URL, [], mapType(STRING, listType(STRING)), function () {
    return query(urlOf(this));
  }),
];
