import type { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthenticationConfigurationOptions } from '../../../server/auth/delegated/authentication-configuration-options.js';
import { DelegatedAuthenticationConfiguration } from '../../../server/auth/delegated/authentication-configuration.js';
import { loadKubeConfig } from '../../../server/auth/delegated/kube-client.js';
import { createCertificateAuthority, type KeyPairPem } from '../../../server/pki/certificates.js';
import { createAuthPki, extensionApiserverAuthenticationData, type AuthPki } from './support/auth-pki.js';
import { recordingLogger } from './support/recording-logger.js';
import { startFakeKubeApiServer, until, type FakeKubeApiServer } from './support/fake-kube-apiserver.js';

const subjectsOf = (cas: readonly X509Certificate[]): string[] => cas.map((c) => c.subject);
const noFlags = {
  clientCaFile: '',
  usernameHeaders: [],
  uidHeaders: [],
  groupHeaders: [],
  extraHeaderPrefixes: [],
  allowedNames: [],
};

describe('delegated authentication configuration', () => {
  let pki: AuthPki;
  let fake: FakeKubeApiServer;
  let dir: string;
  let configurations: DelegatedAuthenticationConfiguration[] = [];
  let log: ReturnType<typeof recordingLogger>;

  beforeAll(async () => {
    pki = await createAuthPki();
    fake = await startFakeKubeApiServer();
    dir = mkdtempSync(join(tmpdir(), 'authn-config-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    log = recordingLogger();
    fake.configMapFailure = undefined;
    fake.configMapLists.length = 0;
    fake.configMapWatches.length = 0;
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
  });
  afterEach(async () => {
    await Promise.all(configurations.map((c) => c.close()));
    configurations = [];
    fake.endWatches();
  });

  const writeFile = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const create = (
    options: Partial<AuthenticationConfigurationOptions>,
  ): DelegatedAuthenticationConfiguration => {
    const configuration = new DelegatedAuthenticationConfiguration({
      clientCaFile: '',
      requestHeader: noFlags,
      skipLookup: false,
      tolerateLookupFailure: false,
      kubeConfig: loadKubeConfig(fake.kubeconfigPath),
      log,
      retryBackoff: { initialMs: 20, maxMs: 100 },
      fileCheckIntervalMs: 50,
      ...options,
    });
    configurations.push(configuration);
    return configuration;
  };

  test('from the ConfigMap: CAs, header names and allowed names; listed by name, then watched', async () => {
    const configuration = create({});
    await configuration.start();
    await configuration.ready;
    await expect(configuration.healthCheck.check()).resolves.toBeUndefined();
    const { clientCA, requestHeader } = configuration.current();
    expect(subjectsOf(clientCA)).toEqual(['CN=client-ca']);
    expect(subjectsOf(requestHeader.caCertificates)).toEqual(['CN=front-proxy-ca']);
    expect(requestHeader).toMatchObject({
      usernameHeaders: ['X-Remote-User'],
      uidHeaders: ['X-Remote-Uid'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
      allowedNames: ['front-proxy-client'],
    });
    expect(fake.configMapLists[0].get('fieldSelector')).toBe(
      'metadata.name=extension-apiserver-authentication',
    );
    await until(() => fake.openWatches === 1, 'the watch');
    expect(fake.configMapWatches[0].get('fieldSelector')).toBe(
      'metadata.name=extension-apiserver-authentication',
    );
  });

  test('a change of the ConfigMap is taken in without a restart (rotated front-proxy CA, new allowed names)', async () => {
    const configuration = create({});
    await configuration.start();
    await until(() => fake.openWatches === 1, 'the watch');
    const rotated = await createCertificateAuthority('front-proxy-ca-2');
    fake.setConfigMap({
      ...extensionApiserverAuthenticationData(pki, rotated),
      'requestheader-allowed-names': '["aggregator"]',
    });
    await until(
      () => subjectsOf(configuration.requestHeader().caCertificates)[0] === 'CN=front-proxy-ca-2',
      'the rotated CA',
    );
    expect(configuration.requestHeader().allowedNames).toEqual(['aggregator']);
    expect(fake.configMapLists).toHaveLength(1);
  });

  test('an invalid CA or list keeps the previous value; a deleted ConfigMap keeps the last configuration', async () => {
    const configuration = create({});
    await configuration.start();
    await until(() => fake.openWatches === 1, 'the watch');
    fake.setConfigMap({
      ...extensionApiserverAuthenticationData(pki),
      'requestheader-client-ca-file': 'not a certificate',
      'requestheader-group-headers': '{"not":"a list"}',
      'client-ca-file': pki.frontProxyCA.certPem,
    });
    await until(() => subjectsOf(configuration.clientCAs())[0] === 'CN=front-proxy-ca', 'the new client CA');
    expect(subjectsOf(configuration.requestHeader().caCertificates)).toEqual(['CN=front-proxy-ca']);
    expect(configuration.requestHeader().groupHeaders).toEqual(['X-Remote-Group']);
    fake.setConfigMap(undefined);
    await until(
      () => log.records.some((r) => r.msg.includes('configmap was deleted')),
      'the deletion to be logged',
    );
    expect(subjectsOf(configuration.clientCAs())).toEqual(['CN=front-proxy-ca']);
    expect(configuration.requestHeader().usernameHeaders).toEqual(['X-Remote-User']);
  });

  test('a watch failing after startup keeps the configuration, is logged and retried', async () => {
    const configuration = create({});
    await configuration.start();
    await until(() => fake.openWatches === 1, 'the watch');
    const before = configuration.current();
    fake.failWatches(500);
    await until(() => fake.configMapWatches.length === 2 && fake.openWatches === 1, 'the reopened watch');
    expect(configuration.current()).toBe(before);
    await expect(configuration.healthCheck.check()).resolves.toBeUndefined();
    expect(log.records.filter((r) => r.level === 'error')).toMatchObject([
      {
        msg: 'reading the authentication configmap failed; retrying',
        configmap: 'kube-system/extension-apiserver-authentication',
        error: "watch error: the fake's watch failed with 500",
      },
    ]);
  });

  test('stop() ends the watch and no new one is opened', async () => {
    const configuration = create({});
    await configuration.start();
    await until(() => fake.openWatches === 1, 'the watch');
    await configuration.close();
    await until(() => fake.openWatches === 0, 'the watch to end');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.openWatches).toBe(0);
    expect(fake.configMapWatches).toHaveLength(1);
  });

  test('a failed lookup is fatal, with the RoleBinding hint for 403', async () => {
    fake.configMapFailure = 403;
    const configuration = create({});
    await expect(configuration.start()).rejects.toThrow(
      /unable to load configmap based authentication configuration: HTTP 403.*--role=extension-apiserver-authentication-reader/,
    );
  });

  test('with --authentication-tolerate-lookup-failure, startup goes on, readiness fails until the ConfigMap is read', async () => {
    fake.configMapFailure = 500;
    const configuration = create({ tolerateLookupFailure: true });
    await configuration.start();
    await expect(configuration.healthCheck.check()).rejects.toThrow(/has not been read yet: HTTP 500/);
    expect(configuration.clientCAs()).toEqual([]);
    await until(() => fake.configMapLists.length >= 2, 'a retry');
    fake.configMapFailure = undefined;
    await configuration.ready;
    await expect(configuration.healthCheck.check()).resolves.toBeUndefined();
    expect(subjectsOf(configuration.clientCAs())).toEqual(['CN=client-ca']);
  });

  test('a missing ConfigMap is not an error: no client CA and no front proxy until it appears', async () => {
    fake.setConfigMap(undefined);
    const configuration = create({});
    await configuration.start();
    await configuration.ready;
    expect(configuration.current()).toMatchObject({
      clientCA: [],
      requestHeader: { caCertificates: [], usernameHeaders: [] },
    });
    await until(() => fake.openWatches === 1, 'the watch');
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
    await until(() => configuration.clientCAs().length === 1, 'the created ConfigMap');
  });

  test('flags win: CA files and --requestheader-* (Go defaults for unset header names); no lookup when both files are given', async () => {
    const clientCaFile = writeFile('client-ca.crt', pki.clientCA.certPem);
    const requestHeaderFile = writeFile('front-proxy-ca.crt', pki.frontProxyCA.certPem);
    const configuration = create({
      clientCaFile,
      requestHeader: {
        ...noFlags,
        clientCaFile: requestHeaderFile,
        allowedNames: ['aggregator'],
        uidHeaders: ['X-Remote-Uid'],
      },
    });
    expect(configuration.usesConfigMap).toBe(false);
    await configuration.start();
    await configuration.ready;
    expect(configuration.requestHeader()).toMatchObject({
      usernameHeaders: ['X-Remote-User'],
      uidHeaders: ['X-Remote-Uid'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
      allowedNames: ['aggregator'],
    });
    expect(subjectsOf(configuration.clientCAs())).toEqual(['CN=client-ca']);
    expect(fake.configMapLists).toHaveLength(0);
  });

  test('one file flag, the rest from the ConfigMap', async () => {
    const other: KeyPairPem = await createCertificateAuthority('client-ca-from-file');
    const clientCaFile = writeFile('client-ca-2.crt', other.certPem);
    const configuration = create({ clientCaFile });
    expect(configuration.usesConfigMap).toBe(true);
    await configuration.start();
    expect(subjectsOf(configuration.clientCAs())).toEqual(['CN=client-ca-from-file']);
    expect(subjectsOf(configuration.requestHeader().caCertificates)).toEqual(['CN=front-proxy-ca']);
  });

  test('CA files are re-read when they change', async () => {
    const clientCaFile = writeFile('rotating-client-ca.crt', pki.clientCA.certPem);
    const configuration = create({ clientCaFile, skipLookup: true });
    await configuration.start();
    const rotated = await createCertificateAuthority('rotated-client-ca');
    writeFileSync(clientCaFile, rotated.certPem);
    await until(
      () => subjectsOf(configuration.clientCAs())[0] === 'CN=rotated-client-ca',
      'the rotated file',
    );
    writeFileSync(clientCaFile, 'garbage');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subjectsOf(configuration.clientCAs())).toEqual(['CN=rotated-client-ca']);
  });

  test('skip lookup without files: nothing trusted, ready at once, nothing asked', async () => {
    const configuration = create({ skipLookup: true, kubeConfig: undefined });
    await configuration.start();
    await expect(configuration.healthCheck.check()).resolves.toBeUndefined();
    expect(configuration.current()).toMatchObject({ clientCA: [], requestHeader: { caCertificates: [] } });
    expect(fake.configMapLists).toHaveLength(0);
  });

  test('bad CA files and a missing kubeconfig are startup errors', () => {
    expect(() => create({ clientCaFile: join(dir, 'nope.crt'), skipLookup: true })).toThrow(
      /--client-ca-file: cannot read/,
    );
    const empty = writeFile('empty.crt', 'nothing here');
    expect(() => create({ requestHeader: { ...noFlags, clientCaFile: empty }, skipLookup: true })).toThrow(
      /holds no PEM certificate/,
    );
    expect(() => create({ kubeConfig: undefined })).toThrow(/needs a kubeconfig/);
  });
});
