import { isIP } from 'node:net';
import type { UserInfo } from '../../api/resource-spec.js';
import { headerValue, type ServerRequest } from '../http/exchange.js';
import type { RequestInfo } from '../http/request-info.js';
import type { AuditLevel, AuditStage } from './audit-policy.js';

/** The object a request is about (audit.k8s.io/v1 ObjectReference). */
export interface AuditObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** An audit.k8s.io/v1 Event, as kube-apiserver writes one per stage. */
export interface AuditEvent {
  readonly kind: 'Event';
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly level: AuditLevel;
  readonly auditID: string;
  readonly stage: AuditStage;
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  readonly sourceIPs: string[];
  readonly userAgent?: string;
  readonly objectRef?: AuditObjectReference;
  readonly responseStatus?: {
    metadata: object;
    status?: string;
    message?: string;
    reason?: string;
    code: number;
  };
  readonly requestObject?: unknown;
  readonly responseObject?: unknown;
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
  readonly annotations?: Record<string, string>;
}

/** meta/v1 MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The user as the event records it: the authenticated one, e.g. the user the front proxy asserted. */
export function auditUser(user: UserInfo | undefined): AuditEvent['user'] {
  if (!user) return { username: '', groups: [] };
  const extra = user.extra && Object.keys(user.extra).length > 0 ? { extra: cloneExtra(user.extra) } : {};
  return { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups], ...extra };
}

function cloneExtra(extra: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [...v]]));
}

/** The object reference of a resource request, as far as the URL tells it. */
export function objectReference(info: RequestInfo): AuditObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  return {
    resource: info.resource,
    ...(info.namespace ? { namespace: info.namespace } : {}),
    ...(info.name ? { name: info.name } : {}),
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    ...(info.subresource ? { subresource: info.subresource } : {}),
  };
}

/** Kept so that a client cannot make one event arbitrarily large with forged headers. */
const maxSourceIps = 16;

/**
 * The client's addresses as kube's SourceIPs lists them: X-Forwarded-For, then X-Real-Ip, then
 * the connection's own address (the one a client cannot forge), each once.
 */
export function sourceIps(req: ServerRequest): string[] {
  const ips: string[] = [];
  for (const part of (headerValue(req, 'x-forwarded-for') ?? '').split(',')) {
    const ip = part.trim();
    if (isIP(ip) && ips.length < maxSourceIps) ips.push(ip);
  }
  const real = (headerValue(req, 'x-real-ip') ?? '').trim();
  if (isIP(real) && !ips.includes(real) && ips.length < maxSourceIps) ips.push(real);
  const remote = (req.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (isIP(remote) && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}
