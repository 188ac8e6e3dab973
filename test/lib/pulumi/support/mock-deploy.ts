import * as pulumi from '@pulumi/pulumi';
import { kubernetesObjects } from '../../../../lib/pulumi/testing/kubernetes-objects.js';
import { runUnderMocks } from '../../../../lib/pulumi/testing/mock-deployment.js';
import type { RegisteredResource } from '../../../../lib/pulumi/testing/resource-recorder.js';
import type { AnyManifest } from '../../../../lib/core/index.js';
import { AggregatedApiServer, type AggregatedApiServerArgs } from '../../../../lib/pulumi/index.js';
import { metricSnapshot } from '../../support/definitions.js';

/** A component deployed under mocks, with what the engine saw. */
export interface MockDeployed {
  readonly server: AggregatedApiServer;
  /** Every registered resource (component, children, providers). */
  readonly resources: readonly RegisteredResource[];
  /** The Kubernetes objects, secrets unwrapped, in the order `pulumi up` would apply them. */
  readonly objects: readonly AnyManifest[];
  /** The component's own registration. */
  readonly component: RegisteredResource;
  /** The one resource of a type (and Pulumi name); fails if there is not exactly one. */
  resource(type: string, name?: string): RegisteredResource;
}

/**
 * GIVEN args (the seed resource unless given), WHEN the component is constructed under mocks
 * that mint real certificates, returns it with the recorded resources. `before` may declare other
 * resources first (providers) and returns the component's options.
 */
export async function deployUnderMocks(
  args: Partial<AggregatedApiServerArgs> = {},
  before: () => pulumi.ComponentResourceOptions = () => ({}),
): Promise<MockDeployed> {
  const { result: server, resources } = await runUnderMocks(
    () =>
      new AggregatedApiServer(
        'test',
        { name: 'custom-apiserver', resources: [metricSnapshot], ...args },
        before(),
      ),
  );
  const components = resources.filter((r) => r.type === AggregatedApiServer.TYPE);
  if (components.length !== 1) throw new Error(`expected one component, found ${components.length}`);
  return {
    server,
    resources,
    objects: kubernetesObjects(resources),
    component: components[0],
    resource: (type, name) => {
      const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
      if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ''}, found ${found.length}`);
      return found[0];
    },
  };
}

/** The promises an Output carries besides its value (SDK internals). */
interface OutputInternals<T> {
  promise(): Promise<T>;
  isKnown: Promise<boolean>;
  isSecret: Promise<boolean>;
  allResources(): Promise<unknown>;
}

/**
 * The value of an Output (under mocks every value is known). When the Output failed, rejects
 * with its error, having handled every promise the Output carries (each rejects with the error,
 * and an unhandled one would fail the test).
 */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  const internals = output as unknown as OutputInternals<T>;
  for (const p of [internals.isKnown, internals.isSecret, internals.allResources()]) p.catch(() => undefined);
  return internals.promise();
}

/** Whether a wire value (a recorded input) is a secret. */
export function isWireSecret(value: unknown): boolean {
  return pulumi.runtime.isRpcSecret(value);
}

/** A wire value without its secret wrapper. */
export function unwrapped(value: unknown): unknown {
  return pulumi.runtime.isRpcSecret(value) ? pulumi.runtime.unwrapRpcSecret(value) : value;
}

/** The one object of a kind (and name) among the rendered objects. */
export function object<T = Record<string, unknown>>(
  objects: readonly AnyManifest[],
  kind: string,
  name?: string,
): AnyManifest & T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0] as AnyManifest & T;
}
