/**
 * Where an object lives in storage, laid out as kube-apiserver lays out etcd:
 * `<root>/<group>/<plural>/<namespace>/<name>`, without the namespace segment for cluster-scoped
 * resources. The one place that knows the layout: the store, the watch cache, the runner and
 * custom storages all derive keys and prefixes here.
 */
export interface StorageKeyParts {
  /** The key root (`--etcd-prefix`, e.g. `/registry`); empty for the embedded database. */
  readonly root: string;
  readonly group: string;
  readonly plural: string;
  /** The namespace, for namespaced resources; undefined addresses every namespace. */
  readonly namespace?: string;
  /** The object name; undefined addresses a collection (the key then ends with `/`). */
  readonly name?: string;
}

/** The key of an object, or the prefix of a collection when `name` is undefined. */
export function storageKey(parts: StorageKeyParts): string {
  const root = parts.root.replace(/\/+$/, '');
  const resource = `${root}/${parts.group}/${parts.plural}/`;
  const namespaced = parts.namespace ? `${resource}${parts.namespace}/` : resource;
  return parts.name === undefined ? namespaced : `${namespaced}${parts.name}`;
}
