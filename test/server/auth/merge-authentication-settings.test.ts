import type { X509Certificate } from 'node:crypto';
import type { RequestHeaderFlags } from '../../../server/auth/delegated/authentication-configuration-options.js';
import { settingsFromConfigMap } from '../../../server/auth/delegated/authentication-configmap.js';
import {
  noAuthenticationSettings,
  type AuthenticationSettings,
} from '../../../server/auth/delegated/authentication-settings.js';
import {
  hasRequestHeaderListFlags,
  mergeAuthenticationSettings,
} from '../../../server/auth/delegated/merge-authentication-settings.js';
import { createCertificateAuthority } from '../../../server/pki/certificates.js';
import { parseCertificateBundle } from '../../../server/auth/x509-authenticator.js';
import { silentLogger } from '../../../server/util/logger.js';
import { createAuthPki, extensionApiserverAuthenticationData } from './support/auth-pki.js';

const noFlags: RequestHeaderFlags = {
  clientCaFile: '',
  usernameHeaders: [],
  uidHeaders: [],
  groupHeaders: [],
  extraHeaderPrefixes: [],
  allowedNames: [],
};
const subjectsOf = (cas: readonly X509Certificate[] | undefined): string[] =>
  (cas ?? []).map((c) => c.subject);

describe('mergeAuthenticationSettings', () => {
  let fromConfigMap: AuthenticationSettings;
  let fileCA: X509Certificate[];

  beforeAll(async () => {
    const pki = await createAuthPki();
    fromConfigMap = settingsFromConfigMap(
      { data: extensionApiserverAuthenticationData(pki) },
      noAuthenticationSettings,
      silentLogger,
    );
    fileCA = parseCertificateBundle((await createCertificateAuthority('from-a-file')).certPem);
  });

  it('takes everything from the ConfigMap when no CA file is given, ignoring the header flags', () => {
    const flags = { ...noFlags, allowedNames: ['ignored'], usernameHeaders: ['X-Ignored'] };
    expect(hasRequestHeaderListFlags(flags)).toBe(true);
    const merged = mergeAuthenticationSettings(
      flags,
      { clientCA: undefined, requestHeaderCA: undefined },
      fromConfigMap,
    );
    expect(merged).toEqual(fromConfigMap);
  });

  it('lets --client-ca-file replace only the client CA', () => {
    const merged = mergeAuthenticationSettings(
      noFlags,
      { clientCA: fileCA, requestHeaderCA: undefined },
      fromConfigMap,
    );
    expect(subjectsOf(merged.clientCA)).toEqual(['CN=from-a-file']);
    expect(merged.requestHeader).toBe(fromConfigMap.requestHeader);
  });

  it('lets --requestheader-client-ca-file replace all request-header settings, with Go’s default header names', () => {
    const merged = mergeAuthenticationSettings(
      { ...noFlags, clientCaFile: 'front-proxy-ca.crt', allowedNames: ['aggregator'] },
      { clientCA: undefined, requestHeaderCA: fileCA },
      fromConfigMap,
    );
    expect(merged.clientCA).toBe(fromConfigMap.clientCA);
    expect(subjectsOf(merged.requestHeader.caCertificates)).toEqual(['CN=from-a-file']);
    expect(merged.requestHeader).toMatchObject({
      usernameHeaders: ['X-Remote-User'],
      uidHeaders: [],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
      allowedNames: ['aggregator'],
    });
  });

  it('uses the header flags that are set instead of the defaults', () => {
    const flags = {
      ...noFlags,
      clientCaFile: 'front-proxy-ca.crt',
      usernameHeaders: ['X-User'],
      uidHeaders: ['X-Uid'],
      groupHeaders: ['X-Group'],
      extraHeaderPrefixes: ['X-Extra-'],
    };
    const merged = mergeAuthenticationSettings(
      flags,
      { clientCA: undefined, requestHeaderCA: fileCA },
      fromConfigMap,
    );
    expect(merged.requestHeader).toMatchObject({
      usernameHeaders: ['X-User'],
      uidHeaders: ['X-Uid'],
      groupHeaders: ['X-Group'],
      extraHeaderPrefixes: ['X-Extra-'],
      allowedNames: [],
    });
    expect(hasRequestHeaderListFlags(noFlags)).toBe(false);
  });
});
