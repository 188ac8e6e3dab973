/**
 * The version of this package. Kept as a literal (not read from package.json at run time) so
 * the module has no file-system dependency once built; test/lib/core/version.test.ts fails
 * if it drifts from package.json.
 */
export const PACKAGE_VERSION = '0.1.0';

/**
 * The server image used when `image` is not set: the image `server/Dockerfile` builds and tags
 * (`docker build -t aggregated-apiserver:<version> -f server/Dockerfile .`). It carries no
 * registry, so a cluster can only pull it once you have loaded it into the nodes
 * (`kind load docker-image`, `minikube image load`) or retagged and pushed it to your registry
 * and set `image`.
 */
export const DEFAULT_IMAGE = `aggregated-apiserver:${PACKAGE_VERSION}`;

/** The etcd image of the dedicated etcd StatefulSet (the etcd Kubernetes 1.35 ships with). */
export const DEFAULT_ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.6-0';
