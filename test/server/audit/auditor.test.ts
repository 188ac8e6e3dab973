import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditPolicyError } from '../../../server/audit/audit-policy.js';
import { createAuditor, type AuditSettings } from '../../../server/audit/auditor.js';
import { FlagError } from '../../../server/options/flag-parser.js';
import { silentLogger } from '../../../server/util/logger.js';

describe('createAuditor', () => {
  let directory: string;
  let settings: AuditSettings;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'auditor-'));
    const policyFile = join(directory, 'policy.yaml');
    writeFileSync(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n');
    settings = {
      policyFile,
      logPath: join(directory, 'audit.log'),
      logMaxSize: 0,
      logMaxBackup: 0,
      logMaxAge: 0,
      logFormat: 'json',
    };
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test('audits nothing without both a policy file and a log path, as kube-apiserver', () => {
    expect(createAuditor({ ...settings, logPath: '' }, silentLogger)).toBeUndefined();
    expect(createAuditor({ ...settings, policyFile: '' }, silentLogger)).toBeUndefined();
    createAuditor(settings, silentLogger)?.close();
  });

  test('refuses flags and policies kube-apiserver refuses, at startup', () => {
    expect(() => createAuditor({ ...settings, logFormat: 'legacy' }, silentLogger)).toThrow(FlagError);
    expect(() => createAuditor({ ...settings, logMaxBackup: -1 }, silentLogger)).toThrow(
      '--audit-log-maxbackup must be 0 or more',
    );
    expect(() => createAuditor({ ...settings, policyFile: join(directory, 'absent') }, silentLogger)).toThrow(
      /cannot read/,
    );
    writeFileSync(settings.policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n');
    expect(() => createAuditor(settings, silentLogger)).toThrow(AuditPolicyError);
  });
});
