import type { ResourceVersion } from '../../api/resource-definition.js';
import type { UserInfo } from '../../api/resource-spec.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What the REST handler tells the store about one request, beyond its body. */
export interface RequestScope {
  /** The namespace from the URL; undefined for cluster-wide paths. */
  readonly namespace?: string;
  /** The API version the client speaks; objects come in and go out in it. */
  readonly version: ResourceVersion;
  /** Who asks; strategy hooks and admission plugins see it. */
  readonly user: UserInfo;
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** Collected into `Warning` response headers. */
  readonly warnings: string[];
  /** Adds an annotation to the request's audit event, when it is audited. */
  readonly addAuditAnnotation?: (key: string, value: string) => void;
}
