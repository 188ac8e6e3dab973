import type * as pulumi from '@pulumi/pulumi';
import type { AnyManifest } from '../core/index.js';

/**
 * lib/core's apply order (manifestList) as explicit Pulumi dependencies: every child depends on
 * the object before it, so `pulumi up` creates them in that order (namespace, identity and RBAC,
 * TLS, storage, workload, Service, APIServices) and `pulumi destroy` deletes them in reverse,
 * the APIServices first and the namespace last. This is the order the cdk8s construct
 * synthesizes in, and the order the rendered YAML is applied in.
 *
 * Children are created by role, in whatever order the component's code has; `dependsOn` hands
 * out promises (which Pulumi accepts as dependencies) that `seal` resolves once every object of
 * the apply order has been realized.
 */
export class ApplyOrder {
  private readonly order: readonly AnyManifest[];
  private readonly realized = new Map<AnyManifest, pulumi.Resource>();
  private readonly waiting: { settle: (error?: Error) => void }[] = [];

  /** @param order the objects in apply order (`manifestList(structure)`) */
  constructor(order: readonly AnyManifest[]) {
    this.order = order;
  }

  /**
   * The dependencies of the child that realizes `manifest`: the object before it in apply order,
   * plus `alsoOn` (e.g. what an APIService needs to be served).
   */
  public dependsOn(
    manifest: AnyManifest,
    alsoOn: readonly (AnyManifest | undefined)[] = [],
  ): Promise<pulumi.Resource[]> {
    const index = this.indexOf(manifest);
    const needed = [index > 0 ? this.order[index - 1] : undefined, ...alsoOn].filter(
      (m): m is AnyManifest => m !== undefined && m !== manifest,
    );
    needed.forEach((m) => this.indexOf(m));
    return new Promise((resolve, reject) => {
      this.waiting.push({
        settle: (error) =>
          error
            ? reject(error)
            : resolve([...new Set(needed.map((m) => this.realized.get(m)))].filter(isSet)),
      });
    });
  }

  /** Records the child realizing `manifest`, and returns it. */
  public realize<R extends pulumi.Resource>(manifest: AnyManifest, resource: R): R {
    this.indexOf(manifest);
    this.realized.set(manifest, resource);
    return resource;
  }

  /** Resolves every dependency; throws (and fails them) if an object was not realized. */
  public seal(): void {
    const missing = this.order.filter((m) => !this.realized.has(m)).map(describe);
    const error =
      missing.length > 0 ? new Error(`internal: objects not realized: ${missing.join(', ')}`) : undefined;
    this.settleAll(error);
    if (error) throw error;
  }

  /**
   * Fails every dependency handed out (when the component's constructor throws), so that Pulumi
   * reports the error instead of waiting for resources that never come.
   */
  public fail(error: Error): void {
    this.settleAll(error);
  }

  private settleAll(error: Error | undefined): void {
    for (const waiter of this.waiting.splice(0)) waiter.settle(error);
  }

  private indexOf(manifest: AnyManifest): number {
    const index = this.order.indexOf(manifest);
    if (index < 0) throw new Error(`internal: ${describe(manifest)} is not in the apply order`);
    return index;
  }
}

function describe(m: AnyManifest): string {
  return `${m.kind}/${m.metadata.name}`;
}

function isSet<T>(value: T | undefined): value is T {
  return value !== undefined;
}
