import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { headerValue, type Exchange } from '../http/exchange.js';
import { FlagError } from '../options/flag-parser.js';
import type { Logger } from '../util/logger.js';
import type { AuditEvent } from './audit-event.js';
import { RotatingFileWriter, stdoutWriter, type AuditLineWriter } from './audit-log-writer.js';
import { evaluateAuditPolicy, parseAuditPolicy, type AuditPolicy } from './audit-policy.js';
import { RequestAudit } from './request-audit.js';

/** The audit flags, as kube-apiserver names them. */
export interface AuditSettings {
  readonly policyFile: string;
  readonly logPath: string;
  readonly logMaxSize: number;
  readonly logMaxBackup: number;
  readonly logMaxAge: number;
  readonly logFormat: string;
}

/** An Audit-ID a client sends is kept (the aggregator sends its own) when it is a sane token. */
const auditIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The audit policy and the log it writes to: decides each request's level and hands out its
 * RequestAudit, whose events are written as JSON lines.
 */
export class Auditor {
  constructor(
    private readonly policy: AuditPolicy,
    private readonly writer: AuditLineWriter,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The request's Audit-ID (kept from the Audit-ID header, else new), and its audit unless the policy says None. */
  begin(exchange: Exchange): { auditId: string; audit?: RequestAudit } {
    const given = headerValue(exchange.req, 'audit-id');
    const auditId = given && auditIdPattern.test(given) ? given : randomUUID();
    const config = evaluateAuditPolicy(this.policy, exchange.user, exchange.info);
    if (config.level === 'None') return { auditId };
    const audit = new RequestAudit(exchange, config, auditId, this.clock(), this.clock, (event) =>
      this.write(event),
    );
    return { auditId, audit };
  }

  close(): void {
    this.writer.close();
  }

  private write(event: AuditEvent): void {
    try {
      this.writer.write(JSON.stringify(event));
    } catch (error) {
      this.log.error('could not write an audit event', {
        auditID: event.auditID,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * The auditor the flags describe: a policy file and a log path (`-` for standard output), or
 * none when either is missing, as kube-apiserver audits nothing without both.
 */
export function createAuditor(settings: AuditSettings, log: Logger): Auditor | undefined {
  if (!settings.policyFile || !settings.logPath) {
    if (settings.policyFile || settings.logPath)
      log.info(0, 'auditing is off: it needs both --audit-policy-file and --audit-log-path');
    return undefined;
  }
  if (settings.logFormat !== 'json')
    throw new FlagError(`--audit-log-format: unsupported value "${settings.logFormat}": json`);
  for (const [flag, value] of [
    ['--audit-log-maxsize', settings.logMaxSize],
    ['--audit-log-maxbackup', settings.logMaxBackup],
    ['--audit-log-maxage', settings.logMaxAge],
  ] as const) {
    if (value < 0) throw new FlagError(`${flag} must be 0 or more`);
  }
  let text: string;
  try {
    text = readFileSync(settings.policyFile, 'utf8');
  } catch (error) {
    throw new FlagError(
      `--audit-policy-file: cannot read ${settings.policyFile}: ${(error as Error).message}`,
    );
  }
  const policy = parseAuditPolicy(text, settings.policyFile);
  const writer =
    settings.logPath === '-'
      ? stdoutWriter
      : new RotatingFileWriter(settings.logPath, {
          maxSizeMegabytes: settings.logMaxSize,
          maxBackups: settings.logMaxBackup,
          maxAgeDays: settings.logMaxAge,
        });
  log.info(0, 'auditing requests', { policy: settings.policyFile, log: settings.logPath });
  return new Auditor(policy, writer, log);
}
