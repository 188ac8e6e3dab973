import type { KubeObject } from '../../api/types.js';

export type Subresource = 'status';

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
}

/** meta/v1 DeleteOptions, as sent in a DELETE body or as query parameters. */
export interface DeleteOptions {
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly orphanDependents?: boolean;
  readonly gracePeriodSeconds?: number;
}

/**
 * What a delete did: `deleted` is false while finalizers hold the object (`object` is then the
 * object marked for deletion); once it is gone, `object` is a Success Status naming it, as
 * kube-apiserver's generic store answers for resources that do not return the deleted object.
 */
export interface DeleteResult {
  readonly object: KubeObject;
  readonly deleted: boolean;
}

/** A written object and the HTTP code kube-apiserver answers with (201 created, 202 deletion pending). */
export interface WriteResult {
  readonly object: KubeObject;
  readonly code: 200 | 201 | 202;
}
