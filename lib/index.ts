/**
 * `aggregated-apiserver`: the framework-neutral part of the constructs. The options both the cdk8s
 * construct (`aggregated-apiserver/cdk8s`) and the Pulumi component (`aggregated-apiserver/pulumi`)
 * take, their validation, and the renderer that turns them into plain Kubernetes objects
 * (`resolveConfig`, `renderManifests`, `manifestList`), for any other tool. Resource definitions
 * are in `aggregated-apiserver/api`, the server in `aggregated-apiserver/server`.
 */
export * from './core/index.js';
