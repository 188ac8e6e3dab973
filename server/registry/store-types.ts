import type { KubeObject } from '../../api/types.js';

export type Subresource = 'status' | 'scale';

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  /** `0`: any version will do; another version: at least that one, or exactly it with `Exact`. */
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Watch only the object of this name (a watch on `.../<name>`). */
  readonly name?: string;
  /** Changes after this version; unset or `0`: the current state first, then changes. */
  readonly resourceVersion?: string;
  /** Overrides whether the current state comes first (watch-list). */
  readonly sendInitialEvents?: boolean;
}

/** A watch as the store opens it: the initial state, then converted, selector-aware changes. */
export interface StoreWatch {
  /** The current state, when the watch starts with it; objects in the client's version. */
  readonly initial: readonly KubeObject[];
  /** The version the changes start after (the initial state's version, or the one asked for). */
  readonly startResourceVersion: string;
  /** The changes, until the signal aborts; failures are thrown as Status errors. */
  readonly events: AsyncIterator<StoreWatchEvent>;
}

export interface StoreWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** Undefined for a change this watcher does not see (it only moves the version on). */
  readonly object?: KubeObject;
  readonly resourceVersion: string;
  /**
   * The object as the JSON text `object` would encode to, when the change reaches this watcher
   * as it was stored: the same for every watcher of it, so what is derived from it can be
   * derived once (`change` is its identity, see ../util/derived-value.ts). `object` is then
   * decoded only if read.
   */
  readonly encoded?: { readonly change: object; readonly json: string };
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
 * object marked for deletion); once it is gone, `object` is the deleted object, as kube's custom
 * resource store answers.
 */
export interface DeleteResult {
  readonly object: KubeObject;
  readonly deleted: boolean;
}

/** A written object and the HTTP code kube-apiserver answers with (201 created). */
export interface WriteResult {
  readonly object: KubeObject;
  readonly code: 200 | 201;
}
