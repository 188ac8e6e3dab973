import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CABundleFile } from '../../../server/auth/delegated/ca-bundle-file.js';
import { createCertificateAuthority, type KeyPairPem } from '../../../server/pki/certificates.js';
import { recordingLogger } from './support/recording-logger.js';
import { sleep, until } from './support/fake-kube-apiserver.js';

describe('CABundleFile', () => {
  let dir: string;
  let first: KeyPairPem;
  let second: KeyPairPem;
  const files: CABundleFile[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ca-bundle-file-'));
    [first, second] = await Promise.all([
      createCertificateAuthority('first-ca'),
      createCertificateAuthority('second-ca'),
    ]);
  });
  afterEach(() => {
    for (const file of files.splice(0)) file.stop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const open = (path: string): CABundleFile => {
    const file = new CABundleFile(path, '--client-ca-file');
    files.push(file);
    return file;
  };

  it('reads every certificate of the bundle', () => {
    const file = open(write('bundle.crt', first.certPem + second.certPem));
    expect(file.current.map((c) => c.subject)).toEqual(['CN=first-ca', 'CN=second-ca']);
  });

  it('refuses, naming the flag, a missing file or one without a certificate', () => {
    expect(() => open(join(dir, 'missing.crt'))).toThrow(/^--client-ca-file: cannot read .*missing\.crt/);
    expect(() => open(write('empty.crt', 'nothing here'))).toThrow(
      /--client-ca-file: .*empty\.crt holds no PEM certificate/,
    );
  });

  it('re-reads the file when it changes, keeps the last good bundle when it turns bad, and stops on stop()', async () => {
    const path = write('rotating.crt', first.certPem);
    const file = open(path);
    const log = recordingLogger();
    let changes = 0;
    file.watch({ intervalMs: 20, log, onChange: () => changes++ });

    writeFileSync(path, second.certPem);
    await until(() => file.current[0]?.subject === 'CN=second-ca', 'the rotated file');
    expect(changes).toBe(1);

    writeFileSync(path, 'garbage');
    await until(() => log.records.some((r) => r.level === 'error'), 'the failed reload');
    expect(file.current.map((c) => c.subject)).toEqual(['CN=second-ca']);
    expect(changes).toBe(1);
    expect(log.records.find((r) => r.level === 'error')).toMatchObject({
      msg: 'could not reload a CA file; keeping the previous certificates',
      flag: '--client-ca-file',
    });

    file.stop();
    writeFileSync(path, first.certPem);
    await sleep(150);
    expect(file.current.map((c) => c.subject)).toEqual(['CN=second-ca']);
  });
});
