import * as pulumi from '@pulumi/pulumi';
import type {
  RegisterResourceOutputsRequest,
  RegisterResourceRequest,
  RegisterResourceResponse,
} from '@pulumi/pulumi/proto/resource_pb.js';

/** A resource as the engine received it. */
export interface RegisteredResource {
  readonly urn: string;
  /** Type token, e.g. `kubernetes:core/v1:Secret`. */
  readonly type: string;
  /** Pulumi (logical) name. */
  readonly name: string;
  /** Custom resource (managed by a provider) rather than a component. */
  readonly custom: boolean;
  /** URN of the parent resource. */
  readonly parent?: string;
  /**
   * URNs of every resource this one depends on (explicit `dependsOn` and the resources its
   * inputs come from): what orders creation and deletion.
   */
  readonly dependencies: readonly string[];
  /** Per input property, the URNs it came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** The provider reference (`<provider urn>::<provider id>`), when not the default provider. */
  readonly provider?: string;
  /**
   * The inputs as sent on the wire: each secret wrapped where it is (`pulumi.runtime.isRpcSecret`),
   * a secret field deep inside an object included. (`deserializeProperties`, which Mocks.newResource
   * gets its inputs from, would mark the whole top-level property secret instead.)
   */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The outputs a component registered with `registerOutputs`. */
  readonly registeredOutputs?: Readonly<Record<string, unknown>>;
}

type Callback<T> = (error: Error | null, response?: T) => void;

/** The part of pulumi's MockMonitor (the resource monitor under `setMocks`) the recorder wraps. */
interface MockResourceMonitor {
  registerResource(request: RegisterResourceRequest, callback: Callback<RegisterResourceResponse>): unknown;
  registerResourceOutputs(request: RegisterResourceOutputsRequest, callback: Callback<unknown>): unknown;
}

/**
 * Records what the Pulumi SDK sends to the resource monitor under `pulumi.runtime.setMocks`:
 * each resource's parent, dependencies, provider and wire inputs (which `Mocks.newResource` is
 * not told about), and components' registered outputs. It also knows when the program has
 * settled, i.e. no registration is in flight any more.
 */
export class ResourceRecorder {
  private readonly registered: RegisteredResource[] = [];
  private readonly outputs = new Map<string, Record<string, unknown>>();
  private readonly failures: Error[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  /**
   * Wraps the monitor `setMocks` installed (call right after it). The Pulumi SDK talks to the
   * monitor through callback-style methods; the wrappers observe each call and pass it on.
   */
  public install(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockResourceMonitor | undefined;
    if (!monitor) throw new Error('no resource monitor: call pulumi.runtime.setMocks first');
    const registerResource = monitor.registerResource.bind(monitor);
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResource = (request, callback) =>
      registerResource(
        request,
        this.observe(callback, (response) => this.recordResource(request, response)),
      );
    monitor.registerResourceOutputs = (request, callback) =>
      registerResourceOutputs(
        request,
        this.observe(callback, () => {
          const struct = request.getOutputs();
          this.outputs.set(
            request.getUrn(),
            struct ? (struct.toJavaScript() as Record<string, unknown>) : {},
          );
        }),
      );
  }

  /** Every resource registered so far, in registration order, with its registered outputs. */
  public get resources(): RegisteredResource[] {
    return this.registered.map((r) => {
      const registeredOutputs = this.outputs.get(r.urn);
      return registeredOutputs ? { ...r, registeredOutputs } : r;
    });
  }

  /**
   * Resolves once nothing has been in flight for a few turns of the event loop (every resource
   * the program declared is registered); rejects with what failed, or after `timeoutMs`.
   */
  public async settled(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let quietTurns = 0; quietTurns < 3;) {
      if (Date.now() > deadline) {
        throw new Error(
          `the program did not settle within ${timeoutMs} ms (${this.inFlight} registrations in flight)`,
        );
      }
      if (this.inFlight > 0) {
        quietTurns = 0;
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      } else {
        quietTurns++;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (this.failures.length > 0) {
      throw new AggregateError(this.failures, this.failures.map((f) => f.message).join('; '));
    }
  }

  private observe<T>(callback: Callback<T>, onSuccess: (response: T) => void): Callback<T> {
    this.inFlight++;
    return (error, response) => {
      try {
        if (error) this.failures.push(error);
        else if (response !== undefined) onSuccess(response);
      } catch (e) {
        this.failures.push(e instanceof Error ? e : new Error(String(e)));
      } finally {
        this.inFlight--;
        if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
      callback(error, response);
    };
  }

  private recordResource(request: RegisterResourceRequest, response: RegisterResourceResponse): void {
    const object = request.getObject();
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((deps, property) => {
      propertyDependencies[property] = deps.getUrnsList();
    });
    this.registered.push({
      urn: response.getUrn(),
      type: request.getType(),
      name: request.getName(),
      custom: request.getCustom(),
      parent: request.getParent() || undefined,
      dependencies: request.getDependenciesList(),
      propertyDependencies,
      provider: request.getProvider() || undefined,
      inputs: object ? (object.toJavaScript() as Record<string, unknown>) : {},
    });
  }
}
