import {
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
  type V1APIResource,
  type V1ParamKind,
  type V1ParamRef,
} from '@kubernetes/client-node';
import { messageOf } from '../../auth/delegated/kube-client.js';
import type { Logger } from '../../util/logger.js';
import { ClusterInformer } from '../cluster-informer.js';
import { matchesLabelSelector } from '../matching/label-selector-match.js';

/** The objects of one paramKind. */
export interface ParamStore {
  readonly namespaced: boolean;
  /** Every object of the kind, across namespaces; undefined until they are known. */
  objects(): Promise<readonly KubernetesObject[] | undefined>;
}

/** Where a policy's params come from. */
export interface ParamSource {
  /** The store of a paramKind; throws when the cluster does not serve the kind. */
  store(paramKind: V1ParamKind): Promise<ParamStore>;
  stop?(): Promise<void>;
}

/** A binding's params could not be collected: the policy's failurePolicy decides. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

function describeKind(paramKind: V1ParamKind): string {
  return `${paramKind.apiVersion ?? ''}, Kind=${paramKind.kind ?? ''}`;
}

/**
 * The params a binding selects for a request, as k8s.io/apiserver's CollectParams finds them:
 * none needed without paramKind ([null]); by name or by selector, in paramRef's namespace or
 * else the request's (for a namespaced kind); none found is allowed unless
 * parameterNotFoundAction is Deny.
 */
export async function collectParams(
  source: ParamSource,
  paramKind: V1ParamKind | undefined,
  paramRef: V1ParamRef | undefined,
  requestNamespace: string | undefined,
): Promise<readonly unknown[]> {
  if (!paramKind) return [null];
  if (!paramRef)
    throw new ParamError(`paramKind kind \`${describeKind(paramKind)}\` is set but paramRef is nil`);
  let store: ParamStore;
  try {
    store = await source.store(paramKind);
  } catch (error) {
    throw new ParamError(`paramKind kind \`${describeKind(paramKind)}\` not known: ${messageOf(error)}`);
  }
  let namespace = '';
  if (store.namespaced) {
    namespace = paramRef.namespace || requestNamespace || '';
    if (!namespace)
      throw new ParamError(
        'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
      );
  }
  const objects = await store.objects();
  if (!objects)
    throw new ParamError(`paramKind kind \`${describeKind(paramKind)}\` not yet synced to use for admission`);
  const inScope = objects.filter((o) => (o.metadata?.namespace ?? '') === namespace);
  const params = paramRef.name
    ? inScope.filter((o) => o.metadata?.name === paramRef.name)
    : inScope.filter((o) => matchesLabelSelector(paramRef.selector ?? {}, o.metadata?.labels));
  if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny')
    throw new ParamError('no params found for policy binding with `Deny` parameterNotFoundAction');
  // As JSON: informer objects may carry client-node's Date values and undefined fields.
  return params.map((p) => JSON.parse(JSON.stringify(p)) as unknown);
}

/** Fixed param objects of one kind (tests, embedding). */
export function staticParamSource(
  kinds: readonly {
    readonly paramKind: V1ParamKind;
    readonly namespaced: boolean;
    readonly objects: readonly KubernetesObject[];
  }[],
): ParamSource {
  return {
    store: async (paramKind) => {
      const found = kinds.find(
        (k) => k.paramKind.apiVersion === paramKind.apiVersion && k.paramKind.kind === paramKind.kind,
      );
      if (!found) throw new Error(`the server could not find the requested resource`);
      return { namespaced: found.namespaced, objects: async () => found.objects };
    },
  };
}

/** KubernetesObjectApi's discovery lookup, which it keeps to itself. */
class DiscoveryClient extends KubernetesObjectApi {
  lookup(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }
}

const syncWaitMs = 10_000;

/**
 * Params from the cluster: each paramKind's resource is found by discovery and its objects
 * watched with client-node's informer from the first request that needs them, as kube-apiserver
 * starts an informer per paramKind. The server's RBAC must let it list and watch them.
 */
export class ClusterParamSource implements ParamSource {
  private readonly discovery: DiscoveryClient;
  private readonly objectApi: KubernetesObjectApi;
  private readonly stores = new Map<
    string,
    Promise<{ informer: ClusterInformer<KubernetesObject>; namespaced: boolean }>
  >();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly log: Logger,
  ) {
    this.discovery = kubeConfig.makeApiClient(DiscoveryClient);
    this.objectApi = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  async store(paramKind: V1ParamKind): Promise<ParamStore> {
    const apiVersion = paramKind.apiVersion ?? '';
    const kind = paramKind.kind ?? '';
    const key = `${apiVersion}/${kind}`;
    let started = this.stores.get(key);
    if (!started) {
      started = this.startInformer(apiVersion, kind);
      this.stores.set(key, started);
      // A failed lookup is tried again by the next request.
      started.catch(() => this.stores.delete(key));
    }
    const { informer, namespaced } = await started;
    return {
      namespaced,
      objects: async () => ((await informer.waitForSync(syncWaitMs)) ? informer.list() : undefined),
    };
  }

  private async startInformer(
    apiVersion: string,
    kind: string,
  ): Promise<{ informer: ClusterInformer<KubernetesObject>; namespaced: boolean }> {
    const resource = await this.discovery.lookup(apiVersion, kind);
    if (!resource) throw new Error(`the server does not serve ${kind} in ${apiVersion}`);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const informer = new ClusterInformer<KubernetesObject>({
      kubeConfig: this.kubeConfig,
      path: `${root}/${resource.name}`,
      list: () => this.objectApi.list(apiVersion, kind),
      description: `params ${resource.name} (${apiVersion})`,
      log: this.log,
    });
    informer.start();
    return { informer, namespaced: resource.namespaced };
  }

  async stop(): Promise<void> {
    const started = await Promise.allSettled([...this.stores.values()]);
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.informer.stop() : undefined)));
  }
}
