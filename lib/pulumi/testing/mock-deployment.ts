import * as pulumi from '@pulumi/pulumi';
import { type RegisteredResource, ResourceRecorder } from './resource-recorder.js';
import { mintingMocks } from './minting-mocks.js';

/** Options of runUnderMocks. */
export interface MockDeploymentOptions {
  /** Pulumi project name. @default 'aggregated-apiserver' */
  readonly project?: string;
  /** Pulumi stack name. @default 'mock' */
  readonly stack?: string;
  /** Run as a preview (`pulumi preview`) rather than an update. @default false */
  readonly preview?: boolean;
  /** How long the program may take to register everything. @default 60000 */
  readonly timeoutMs?: number;
}

/** What a program did under mocks. */
export interface MockDeployment<T> {
  /** What the program returned. */
  readonly result: T;
  /** Every resource the engine would have been asked to create, in registration order. */
  readonly resources: readonly RegisteredResource[];
}

/**
 * Runs a Pulumi program without the engine: `pulumi.runtime.setMocks` with mintingMocks (real
 * keys and certificates for @pulumi/tls; every other resource, Kubernetes objects and providers,
 * echoes its inputs as its outputs, the way pulumi-kubernetes reports an applied object). The
 * monitor is observed (resource-recorder.ts), so the result tells parents, dependencies and
 * providers, and waits until every resource is registered. Provider functions (invokes) are not mocked and fail.
 *
 * The Pulumi runtime is process-global: run one program at a time.
 */
export async function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockDeploymentOptions = {},
): Promise<MockDeployment<T>> {
  await pulumi.runtime.setMocks(
    mintingMocks({
      call: (args) => {
        throw new Error(`runUnderMocks: no mock for the provider function ${args.token}`);
      },
    }),
    options.project ?? 'aggregated-apiserver',
    options.stack ?? 'mock',
    options.preview ?? false,
  );
  const recorder = new ResourceRecorder();
  recorder.install();
  const result = await program();
  await recorder.settled(options.timeoutMs);
  return { result, resources: recorder.resources };
}
