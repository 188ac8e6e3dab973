import type { AuditSettings } from '../audit/auditor.js';
import type { ServerFlags } from './server-flags.js';

/** The audit part of the flags. */
export function auditSettings(flags: ServerFlags): AuditSettings {
  return {
    policyFile: flags.auditPolicyFile,
    logPath: flags.auditLogPath,
    logMaxSize: flags.auditLogMaxsize,
    logMaxBackup: flags.auditLogMaxbackup,
    logMaxAge: flags.auditLogMaxage,
    logFormat: flags.auditLogFormat,
  };
}
