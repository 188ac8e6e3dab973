import type { X509Certificate } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from '../../util/logger.js';
import { parseCertificateBundle } from '../x509-authenticator.js';
import type { AuthenticationSettings, RequestHeaderSettings } from './authentication-settings.js';
import { messageOf, statusOf } from './kube-client.js';

/** Where kube-apiserver publishes its authentication configuration for extension API servers. */
export const authenticationConfigMap = {
  namespace: 'kube-system',
  name: 'extension-apiserver-authentication',
} as const;

/** The Role kube-apiserver ships for reading that ConfigMap (get/list/watch on that name). */
export const authenticationReaderRole = 'extension-apiserver-authentication-reader';

/** The ConfigMap's keys, as kube-apiserver publishes them. */
export const configMapKeys = {
  clientCA: 'client-ca-file',
  requestHeaderCA: 'requestheader-client-ca-file',
  usernameHeaders: 'requestheader-username-headers',
  uidHeaders: 'requestheader-uid-headers',
  groupHeaders: 'requestheader-group-headers',
  extraHeaderPrefixes: 'requestheader-extra-headers-prefix',
  allowedNames: 'requestheader-allowed-names',
} as const;

/** `configmap/<name> in <namespace>`, for messages. */
export const authenticationConfigMapDescription = `configmap/${authenticationConfigMap.name} in ${authenticationConfigMap.namespace}`;

/**
 * The settings a version of the ConfigMap holds, given the ones taken from the version before.
 * As in Go, a CA that is missing, empty or unparsable keeps the previous one (never "no CA"
 * because of a bad edit), and so do header lists that are not JSON arrays of strings; valid
 * lists, empty ones included, replace the previous ones. Every rejected value is logged.
 */
export function settingsFromConfigMap(
  configMap: V1ConfigMap,
  previous: AuthenticationSettings,
  log: Logger,
): AuthenticationSettings {
  const data = configMap.data ?? {};
  const ca = (key: string, before: readonly X509Certificate[]): readonly X509Certificate[] => {
    const pem = data[key];
    if (!pem) return before;
    try {
      const certificates = parseCertificateBundle(pem);
      if (certificates.length === 0) throw new Error('no PEM certificate');
      return certificates;
    } catch (error) {
      log.error('invalid CA bundle in the authentication configmap; keeping the previous one', {
        key,
        error: messageOf(error),
      });
      return before;
    }
  };
  let lists: Omit<RequestHeaderSettings, 'caCertificates'>;
  try {
    lists = {
      usernameHeaders: stringList(data, configMapKeys.usernameHeaders),
      uidHeaders: stringList(data, configMapKeys.uidHeaders),
      groupHeaders: stringList(data, configMapKeys.groupHeaders),
      extraHeaderPrefixes: stringList(data, configMapKeys.extraHeaderPrefixes),
      allowedNames: stringList(data, configMapKeys.allowedNames),
    };
  } catch (error) {
    log.error('invalid request-header settings in the authentication configmap; keeping the previous ones', {
      error: messageOf(error),
    });
    lists = previous.requestHeader;
  }
  return {
    clientCA: ca(configMapKeys.clientCA, previous.clientCA),
    requestHeader: {
      ...lists,
      caCertificates: ca(configMapKeys.requestHeaderCA, previous.requestHeader.caCertificates),
    },
  };
}

/** Why reading the ConfigMap failed, with the RoleBinding that usually fixes a 403. */
export function describeLookupFailure(error: unknown): string {
  const message = messageOf(error);
  if (statusOf(error) !== 403) return message;
  return (
    `${message} (usually fixed by 'kubectl create rolebinding -n ${authenticationConfigMap.namespace} ROLEBINDING_NAME ` +
    `--role=${authenticationReaderRole} --serviceaccount=YOUR_NS:YOUR_SA')`
  );
}

/** A ConfigMap list value: a JSON array of strings; empty or missing is an empty list. */
function stringList(data: Readonly<Record<string, string>>, key: string): string[] {
  const text = data[key];
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${key} is not JSON: ${messageOf(error)}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw new Error(`${key} is not a JSON array of strings`);
  }
  return parsed;
}
