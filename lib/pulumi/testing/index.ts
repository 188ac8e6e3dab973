/**
 * `aggregated-apiserver/pulumi/testing`: test Pulumi programs that use the component without the
 * engine. `mintingMocks()` for `pulumi.runtime.setMocks` mints real certificates for @pulumi/tls;
 * `runUnderMocks()` runs a whole program and records what the engine would be asked to create;
 * `kubernetesObjects()` turns that into the objects `pulumi up` would apply, in order.
 */
export * from './kubernetes-objects.js';
export * from './minting-mocks.js';
export * from './mock-deployment.js';
export * from './resource-recorder.js';
export { TLS_TYPES, tlsProviderOutputs } from './tls-provider-mocks.js';
