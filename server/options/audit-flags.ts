import { flagTypes } from './flag-parser.js';

const { string, integer } = flagTypes;

/** kube-apiserver's audit log flags (the log backend; webhook backends are not offered). */
export const auditFlagSpecs = {
  auditPolicyFile: string(
    'audit-policy-file',
    '',
    'Path to the file that defines the audit policy configuration (audit.k8s.io/v1 Policy).',
  ),
  auditLogPath: string(
    'audit-log-path',
    '',
    'If set, all requests coming to the apiserver will be logged to this file. "-" means standard out.',
  ),
  auditLogMaxsize: integer(
    'audit-log-maxsize',
    0,
    'The maximum size in megabytes of the audit log file before it gets rotated (0: 100).',
  ),
  auditLogMaxbackup: integer(
    'audit-log-maxbackup',
    0,
    "The maximum number of old audit log files to retain. Setting a value of 0 will mean there's no restriction on the number of files.",
  ),
  auditLogMaxage: integer(
    'audit-log-maxage',
    0,
    'The maximum number of days to retain old audit log files based on the timestamp encoded in their filename.',
  ),
  auditLogFormat: string('audit-log-format', 'json', 'Format of saved audits: json.'),
};
