import { parse as parseYaml } from 'yaml';
import type { Status } from '../../api/types.js';
import type { Exchange } from '../http/exchange.js';
import {
  auditUser,
  microTime,
  objectReference,
  sourceIps,
  type AuditEvent,
  type AuditObjectReference,
} from './audit-event.js';
import { levelAtLeast, type AuditStage, type RequestAuditConfig } from './audit-policy.js';

/** What the layers of a request tell its audit: annotations (authorization, admission) and the body. */
export interface AuditRecorder {
  /** A bound function, so layers may pass it on. */
  readonly annotate: (key: string, value: string) => void;
  /** The request body as read, with its media type; kept when the level records requests. */
  recordRequestBody(body: Buffer, mediaType: string): void;
}

/** An event's annotations are bounded: so many keys, so long a value (kube truncates policy annotations at 10 KiB). */
const maxAnnotations = 64;
const maxAnnotationValue = 10 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Drops metadata.managedFields from an object, or from the items of a list (omitManagedFields). */
function withoutManagedFields(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const strip = (o: unknown): unknown => {
    if (!isRecord(o) || !isRecord(o.metadata) || !('managedFields' in o.metadata)) return o;
    const { managedFields: _managedFields, ...metadata } = o.metadata;
    return { ...o, metadata };
  };
  const stripped = strip(value) as Record<string, unknown>;
  return Array.isArray(stripped.items) ? { ...stripped, items: stripped.items.map(strip) } : stripped;
}

/**
 * One request's audit: the policy's level for it, what the request and response carried, and
 * the events of its stages, each written through `emit` as it happens.
 */
export class RequestAudit implements AuditRecorder {
  private readonly annotations = new Map<string, string>();
  private readonly objectRef: AuditObjectReference | undefined;
  private requestObject: unknown;
  private responseObject: unknown;
  private responseStarted = false;

  constructor(
    private readonly exchange: Exchange,
    readonly config: RequestAuditConfig,
    readonly auditId: string,
    private readonly received: Date,
    private readonly clock: () => Date,
    private readonly emit: (event: AuditEvent) => void,
  ) {
    this.objectRef = objectReference(exchange.info);
  }

  readonly annotate = (key: string, value: string): void => {
    if (!this.annotations.has(key) && this.annotations.size >= maxAnnotations) return;
    this.annotations.set(key, value.slice(0, maxAnnotationValue));
  };

  recordRequestBody(body: Buffer, mediaType: string): void {
    let parsed: unknown;
    try {
      const text = body.toString('utf8');
      parsed = mediaType.endsWith('yaml') ? parseYaml(text) : JSON.parse(text);
    } catch {
      return;
    }
    // As kube completes the reference from the decoded object (a create names it only in the body).
    const metadata = isRecord(parsed) && isRecord(parsed.metadata) ? parsed.metadata : undefined;
    if (this.objectRef && metadata) {
      if (!this.objectRef.name && typeof metadata.name === 'string') this.objectRef.name = metadata.name;
      if (!this.objectRef.namespace && typeof metadata.namespace === 'string')
        this.objectRef.namespace = metadata.namespace;
    }
    if (levelAtLeast(this.config.level, 'Request')) this.requestObject = this.trim(parsed);
  }

  /** The response body, once written; kept for RequestResponse, and for the status of errors. */
  recordResponseBody(text: string, code: number): void {
    if (!levelAtLeast(this.config.level, 'RequestResponse') && code < 400) return;
    try {
      this.responseObject = JSON.parse(text) as unknown;
    } catch {
      // Not JSON (a table in YAML, a text error): nothing to record.
    }
  }

  /** Long-running requests (watches) get a ResponseStarted event when their headers go out. */
  responseHeadersSent(code: number): void {
    if (this.responseStarted) return;
    this.responseStarted = true;
    this.write('ResponseStarted', { metadata: {}, code });
  }

  /**
   * A request refused by authentication: one ResponseStarted event with the 401 and which
   * credentials were tried, as kube's failed-authentication audit writes it (the user is empty).
   */
  authenticationFailed(message: string): void {
    this.write('ResponseStarted', { metadata: {}, code: 401, message });
  }

  requestReceived(): void {
    this.write('RequestReceived');
  }

  /** ResponseComplete with the response's status; Panic when the handler failed unexpectedly. */
  complete(code: number, status?: Status, panicked = false): void {
    const responseStatus: NonNullable<AuditEvent['responseStatus']> = { metadata: {}, code };
    const failure =
      status ??
      (code >= 400 && isRecord(this.responseObject) ? (this.responseObject as unknown as Status) : undefined);
    if (failure && failure.kind === 'Status') {
      if (failure.status) responseStatus.status = failure.status;
      if (failure.message) responseStatus.message = failure.message;
      if (failure.reason) responseStatus.reason = failure.reason;
    }
    if (status && levelAtLeast(this.config.level, 'RequestResponse')) this.responseObject = status;
    this.write(panicked ? 'Panic' : 'ResponseComplete', responseStatus);
  }

  private trim(value: unknown): unknown {
    return this.config.omitManagedFields ? withoutManagedFields(value) : value;
  }

  private write(stage: AuditStage, responseStatus?: AuditEvent['responseStatus']): void {
    if (this.config.omitStages.has(stage)) return;
    const { exchange } = this;
    const userAgent = exchange.req.headers['user-agent'];
    const completed = stage === 'ResponseComplete' || stage === 'Panic';
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.config.level,
      auditID: this.auditId,
      stage,
      requestURI: `${exchange.url.pathname}${exchange.url.search}`,
      verb: exchange.info.verb,
      user: auditUser(exchange.user),
      sourceIPs: sourceIps(exchange.req),
      ...(typeof userAgent === 'string' ? { userAgent } : {}),
      ...(this.objectRef ? { objectRef: { ...this.objectRef } } : {}),
      ...(responseStatus ? { responseStatus } : {}),
      ...(this.requestObject !== undefined && stage !== 'RequestReceived'
        ? { requestObject: this.requestObject }
        : {}),
      ...(completed && this.responseObject !== undefined && levelAtLeast(this.config.level, 'RequestResponse')
        ? { responseObject: this.trim(this.responseObject) }
        : {}),
      requestReceivedTimestamp: microTime(this.received),
      stageTimestamp: microTime(this.clock()),
      ...(this.annotations.size > 0 ? { annotations: Object.fromEntries(this.annotations) } : {}),
    };
    this.emit(event);
  }
}
