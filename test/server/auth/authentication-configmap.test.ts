import type { X509Certificate } from 'node:crypto';
import { ApiException } from '@kubernetes/client-node';
import {
  describeLookupFailure,
  settingsFromConfigMap,
} from '../../../server/auth/delegated/authentication-configmap.js';
import {
  noAuthenticationSettings,
  type AuthenticationSettings,
} from '../../../server/auth/delegated/authentication-settings.js';
import { silentLogger } from '../../../server/util/logger.js';
import { createAuthPki, extensionApiserverAuthenticationData, type AuthPki } from './support/auth-pki.js';
import { recordingLogger } from './support/recording-logger.js';

const subjectsOf = (cas: readonly X509Certificate[]): string[] => cas.map((c) => c.subject);
const configMap = (data: Record<string, string>) => ({ metadata: { name: 'x', resourceVersion: '7' }, data });

describe('settings from the extension-apiserver-authentication ConfigMap', () => {
  let pki: AuthPki;
  let published: AuthenticationSettings;

  beforeAll(async () => {
    pki = await createAuthPki();
    published = settingsFromConfigMap(
      configMap(extensionApiserverAuthenticationData(pki)),
      noAuthenticationSettings,
      silentLogger,
    );
  });

  it('reads both CAs and every header list as kube-apiserver publishes them', () => {
    expect(subjectsOf(published.clientCA)).toEqual(['CN=client-ca']);
    expect(subjectsOf(published.requestHeader.caCertificates)).toEqual(['CN=front-proxy-ca']);
    expect(published.requestHeader).toMatchObject({
      usernameHeaders: ['X-Remote-User'],
      uidHeaders: ['X-Remote-Uid'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
      allowedNames: ['front-proxy-client'],
    });
  });

  it('keeps the previous CA when a CA is missing, empty, not PEM or holds no certificate, and logs the bad ones', () => {
    const log = recordingLogger();
    for (const pem of [
      undefined,
      '',
      'not a certificate',
      '-----BEGIN NOTHING-----\n-----END NOTHING-----\n',
    ]) {
      const data: Record<string, string> = {};
      if (pem !== undefined) {
        data['client-ca-file'] = pem;
        data['requestheader-client-ca-file'] = pem;
      }
      const next = settingsFromConfigMap(configMap(data), published, log);
      expect(next.clientCA).toBe(published.clientCA);
      expect(next.requestHeader.caCertificates).toBe(published.requestHeader.caCertificates);
    }
    const invalid = log.records.filter((r) => r.msg.startsWith('invalid CA bundle'));
    expect(invalid.map((r) => r.key)).toEqual([
      'client-ca-file',
      'requestheader-client-ca-file',
      'client-ca-file',
      'requestheader-client-ca-file',
    ]);
  });

  it('keeps all previous header lists when one is not a JSON array of strings', () => {
    for (const bad of ['{"not":"a list"}', '[1]', 'not json']) {
      const log = recordingLogger();
      const next = settingsFromConfigMap(
        configMap({ 'requestheader-allowed-names': '["changed"]', 'requestheader-group-headers': bad }),
        published,
        log,
      );
      expect(next.requestHeader).toMatchObject({
        groupHeaders: ['X-Remote-Group'],
        allowedNames: ['front-proxy-client'],
      });
      expect(log.records).toMatchObject([
        { level: 'error', msg: expect.stringMatching(/invalid request-header settings/) },
      ]);
    }
  });

  it('takes valid lists as they are, and a missing or empty one as empty', () => {
    const next = settingsFromConfigMap(
      configMap({ 'requestheader-allowed-names': '[]', 'requestheader-username-headers': '["X-User"]' }),
      published,
      silentLogger,
    );
    expect(next.requestHeader).toMatchObject({
      usernameHeaders: ['X-User'],
      uidHeaders: [],
      groupHeaders: [],
      extraHeaderPrefixes: [],
      allowedNames: [],
    });
  });
});

describe('describeLookupFailure', () => {
  it('names the RoleBinding that fixes a 403, and nothing more for other failures', () => {
    const forbidden = new ApiException(403, 'Forbidden', { message: 'configmaps is forbidden' }, {});
    expect(describeLookupFailure(forbidden)).toBe(
      "HTTP 403: configmaps is forbidden (usually fixed by 'kubectl create rolebinding -n kube-system ROLEBINDING_NAME " +
        "--role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA')",
    );
    expect(describeLookupFailure(new ApiException(500, 'boom', { message: 'etcd is down' }, {}))).toBe(
      'HTTP 500: etcd is down',
    );
  });
});
