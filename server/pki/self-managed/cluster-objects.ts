import {
  ApiregistrationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1APIService,
  type V1Secret,
} from '@kubernetes/client-node';
import { statusOf, withRequestTimeout } from '../../auth/delegated/kube-client.js';
import type { SecretFields } from './serving-state.js';

/** Where the state lives and whose caBundle follows it. */
export interface SelfManagedObjects {
  readonly secretNamespace: string;
  readonly secretName: string;
  readonly apiServices: readonly string[];
}

/** The Secret as read: its fields and the version an update must name. */
export interface ReadSecret extends SecretFields {
  /** The object as read, whose resourceVersion an update names. */
  readonly object: V1Secret;
}

/** What happened to one APIService's caBundle. */
export type CaBundleSync = 'current' | 'updated' | 'missing' | 'conflict';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The cluster objects a self-managed server reads and writes, with exactly the verbs its RBAC
 * grants on them by name: get and update of its Secret, get and update of its APIServices. An
 * update names the version it read, so replicas racing on the same change never overwrite each
 * other: the loser sees a conflict and reads again.
 */
export class SelfManagedClusterObjects {
  private readonly core: CoreV1Api;
  private readonly registration: ApiregistrationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly objects: SelfManagedObjects,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.registration = kubeConfig.makeApiClient(ApiregistrationV1Api);
  }

  /** The Secret's data and annotations (both empty when it has none). Throws when it does not exist. */
  public async readSecret(): Promise<ReadSecret> {
    const secret = await this.core.readNamespacedSecret(
      { name: this.objects.secretName, namespace: this.objects.secretNamespace },
      withRequestTimeout(REQUEST_TIMEOUT_MS),
    );
    return { data: secret.data ?? {}, annotations: secret.metadata?.annotations ?? {}, object: secret };
  }

  /**
   * Writes the data and the given annotations (undefined removes one) over the version read.
   * Resolves false when someone else changed the Secret in between.
   */
  public async writeSecret(
    read: ReadSecret,
    data: Record<string, string>,
    annotations: Record<string, string | undefined>,
  ): Promise<boolean> {
    const current = read.object;
    const merged: Record<string, string> = { ...(current.metadata?.annotations ?? {}) };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    const body: V1Secret = {
      ...current,
      metadata: { ...current.metadata, annotations: merged },
      data,
      stringData: undefined,
    };
    try {
      await this.core.replaceNamespacedSecret(
        { name: this.objects.secretName, namespace: this.objects.secretNamespace, body },
        withRequestTimeout(REQUEST_TIMEOUT_MS),
      );
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  /** Sets each APIService's caBundle to `caBundle` (base64) where it differs. */
  public async syncCaBundles(caBundle: string): Promise<Map<string, CaBundleSync>> {
    const results = new Map<string, CaBundleSync>();
    for (const name of this.objects.apiServices) results.set(name, await this.syncCaBundle(name, caBundle));
    return results;
  }

  private async syncCaBundle(name: string, caBundle: string): Promise<CaBundleSync> {
    let apiService: V1APIService;
    try {
      apiService = await this.registration.readAPIService({ name }, withRequestTimeout(REQUEST_TIMEOUT_MS));
    } catch (error) {
      if (statusOf(error) === 404) return 'missing';
      throw error;
    }
    if (apiService.spec?.caBundle === caBundle) return 'current';
    if (!apiService.spec) throw new Error(`APIService ${name} has no spec`);
    const body: V1APIService = { ...apiService, spec: { ...apiService.spec, caBundle } };
    try {
      await this.registration.replaceAPIService({ name, body }, withRequestTimeout(REQUEST_TIMEOUT_MS));
      return 'updated';
    } catch (error) {
      if (statusOf(error) === 409) return 'conflict';
      if (statusOf(error) === 404) return 'missing';
      throw error;
    }
  }
}
