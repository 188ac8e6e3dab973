/**
 * Which cache serves a key or a key prefix. The generic store keys objects as
 * `/registry/<group>/<plural>/<namespace>/<name>` and watches and lists both a whole resource
 * (`/registry/<group>/<plural>/`) and one namespace of it (`.../<namespace>/`). One cache per
 * resource serves both, so a resource costs one upstream watch however its clients slice it.
 */
export type ResourcePrefixResolver = (keyOrPrefix: string) => string | undefined;

/** kube-apiserver's layout: `/registry/<group>/<plural>/` (the etcd prefix is one segment). */
export const DEFAULT_PREFIX_DEPTH = 3;

/**
 * Resource prefixes as the first `depth` segments of a key: `/a/b/c/d/e` at depth 3 is under
 * `/a/b/c/`. Keys and prefixes with fewer whole segments span several resources (or none) and
 * are not cached.
 */
export function prefixAtDepth(depth: number): ResourcePrefixResolver {
  if (!Number.isSafeInteger(depth) || depth < 1) {
    throw new RangeError(`the cached prefix depth must be a positive integer, got ${depth}`);
  }
  return (keyOrPrefix) => {
    if (!keyOrPrefix.startsWith('/')) return undefined;
    let end = 0;
    for (let segment = 0; segment < depth; segment++) {
      end = keyOrPrefix.indexOf('/', end + 1);
      // An empty segment ("//") names no resource.
      if (end < 0 || keyOrPrefix[end - 1] === '/') return undefined;
    }
    return keyOrPrefix.slice(0, end + 1);
  };
}

/**
 * Resource prefixes from a fixed list: the longest listed prefix that a key or prefix starts
 * with. Anything outside the list, or wider than a listed prefix, is not cached.
 */
export function listedPrefixes(prefixes: readonly string[]): ResourcePrefixResolver {
  const longestFirst = [...prefixes].sort((a, b) => b.length - a.length);
  return (keyOrPrefix) => longestFirst.find((prefix) => keyOrPrefix.startsWith(prefix));
}
