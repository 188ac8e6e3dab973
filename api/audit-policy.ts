/**
 * The audit.k8s.io/v1 Policy a server audits requests by (`--audit-policy-file`), as
 * kube-apiserver reads it: the server parses it, the constructs render it.
 */

/** How much of a request an audit event records, from nothing to both bodies. */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** A stage of a request an audit event is written at. */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** The levels, from the least to the most recorded. */
export const AUDIT_LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

/** The stages, in the order a request passes them. */
export const AUDIT_STAGES: readonly AuditStage[] = [
  'RequestReceived',
  'ResponseStarted',
  'ResponseComplete',
  'Panic',
];

/** A group's resources an audit rule matches. */
export interface AuditGroupResources {
  /** The API group; `""` is the core group. @default - the core group */
  readonly group?: string;
  /** Resources, `<resource>/<subresource>` for a subresource, `*` for all. @default - all */
  readonly resources?: readonly string[];
  /** Object names. @default - all */
  readonly resourceNames?: readonly string[];
}

/** One rule of a Policy; the first rule that matches a request decides its level. */
export interface AuditPolicyRule {
  /** How much of a matching request is recorded. */
  readonly level: AuditLevel;
  /** The users it matches. @default - every user */
  readonly users?: readonly string[];
  /** The groups it matches (any one of). @default - every group */
  readonly userGroups?: readonly string[];
  /** The verbs it matches. @default - every verb */
  readonly verbs?: readonly string[];
  /** The resources it matches. @default - every resource */
  readonly resources?: readonly AuditGroupResources[];
  /** The namespaces it matches; `""` matches cluster-scoped objects. @default - every namespace */
  readonly namespaces?: readonly string[];
  /** The non-resource paths it matches (`/healthz*`). @default - every path */
  readonly nonResourceURLs?: readonly string[];
  /** Stages no event is written at for this rule. @default - the policy's omitStages */
  readonly omitStages?: readonly AuditStage[];
  /** Leave managedFields out of the recorded objects. @default - the policy's omitManagedFields */
  readonly omitManagedFields?: boolean;
}

/** An audit.k8s.io/v1 Policy, without its apiVersion and kind. */
export interface AuditPolicy {
  /** The rules, in order; a request no rule matches is not audited. */
  readonly rules: readonly AuditPolicyRule[];
  /** Stages no event is written at. @default [] */
  readonly omitStages?: readonly AuditStage[];
  /** Leave managedFields out of the recorded objects. @default false */
  readonly omitManagedFields?: boolean;
}
