import type { ResourceVersion } from '../resources/resource-definition.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What the REST handler tells the store about one request, beyond its body. */
export interface RequestScope {
  /** The namespace from the URL; undefined for cluster-wide paths. */
  readonly namespace?: string;
  /** The API version the client speaks; objects come in and go out in it. */
  readonly version: ResourceVersion;
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** Fields the request body set twice (the last one counts), reported as fieldValidation says. */
  readonly duplicateFields?: readonly string[];
  /** Collected into `Warning` response headers. */
  readonly warnings: string[];
}
