import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiException,
  KubeConfig,
  type ConfigurationOptions,
  Observable,
  type ObservableMiddleware,
} from '@kubernetes/client-node';

/** The service account files every pod gets, relative to the filesystem root. */
const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export class KubeClientError extends Error {
  override readonly name: string = 'KubeClientError';
}

/** No kubeconfig path was given and this process does not run in a pod (client-go's ErrNotInCluster). */
export class NotInClusterError extends KubeClientError {
  override readonly name = 'NotInClusterError';
}

export interface LoadKubeConfigOptions {
  /** Prefix of the service account directory (tests); in-cluster reads `<root>/var/run/secrets/...`. */
  readonly serviceAccountRoot?: string;
  /** Names the flag(s) the path came from, for error messages. */
  readonly flagName?: string;
}

/**
 * A client-node KubeConfig for talking to the core kube-apiserver: from the kubeconfig file
 * when a path is given, otherwise in-cluster (the pod's service account token and CA, the
 * KUBERNETES_SERVICE_HOST/PORT environment), the way client-go's InClusterConfig does.
 */
export function loadKubeConfig(path: string, options: LoadKubeConfigOptions = {}): KubeConfig {
  const flag = options.flagName ?? '--kubeconfig';
  const kc = new KubeConfig();
  if (path) {
    if (!existsSync(path)) throw new KubeClientError(`${flag}: the kubeconfig file ${path} does not exist`);
    try {
      kc.loadFromFile(path);
    } catch (error) {
      throw new KubeClientError(`${flag}: cannot load the kubeconfig file ${path}: ${messageOf(error)}`);
    }
    if (!kc.getCurrentCluster()) {
      throw new KubeClientError(`${flag}: the kubeconfig file ${path} has no current context with a cluster`);
    }
    return kc;
  }
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new NotInClusterError(
      `${flag} is empty and this process is not running in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set): give a kubeconfig file`,
    );
  }
  const root = options.serviceAccountRoot ?? '';
  const tokenFile = join(root, serviceAccountDir, 'token');
  if (!existsSync(tokenFile)) {
    throw new KubeClientError(
      `${flag} is empty and the in-cluster service account token ${tokenFile} does not exist (automountServiceAccountToken: false?)`,
    );
  }
  kc.loadFromCluster(root);
  return kc;
}

/** Where a KubeConfig points, for logs. */
export function describeKubeConfig(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? 'no cluster';
}

/**
 * Per-call options that abort the request after `timeoutMs` (client-node has no client-wide
 * timeout), or when `signal` aborts (shutdown).
 */
export function withRequestTimeout(timeoutMs: number, signal?: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      context.setSignal(signal ? AbortSignal.any([timeout, signal]) : timeout);
      return new Observable(Promise.resolve(context));
    },
    post: (context) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** The HTTP status of a failed client-node call (ApiException, or a Watch's error), if any. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (error && typeof error === 'object') {
    const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
    if (typeof statusCode === 'number') return statusCode;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** A short description of a failed call: ApiException messages carry whole response bodies. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown } | string | undefined;
    const detail =
      typeof body === 'string'
        ? tryStatusMessage(body)
        : typeof body?.message === 'string'
          ? body.message
          : undefined;
    return `HTTP ${error.code}${detail ? `: ${detail}` : ''}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function tryStatusMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200);
  } catch {
    return body.slice(0, 200) || undefined;
  }
}
