import type { X509Certificate } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { HealthCheck } from '../../http/health.js';
import type { ServerFlags } from '../../options/server-flags.js';
import type { Logger } from '../../util/logger.js';
import { parseCertificateBundle } from '../x509-authenticator.js';
import { messageOf, statusOf, withRequestTimeout } from './kube-client.js';

export const authenticationConfigMapNamespace = 'kube-system';
export const authenticationConfigMapName = 'extension-apiserver-authentication';
/** The Role kube-apiserver ships for reading that ConfigMap (get/list/watch on that name). */
export const authenticationReaderRole = 'extension-apiserver-authentication-reader';

/** The ConfigMap's keys, as kube-apiserver publishes them. */
export const configMapKeys = {
  clientCA: 'client-ca-file',
  requestHeaderCA: 'requestheader-client-ca-file',
  usernameHeaders: 'requestheader-username-headers',
  uidHeaders: 'requestheader-uid-headers',
  groupHeaders: 'requestheader-group-headers',
  extraHeaderPrefixes: 'requestheader-extra-headers-prefix',
  allowedNames: 'requestheader-allowed-names',
} as const;

/** Who may assert identities in headers, and in which headers (the front proxy: kube-aggregator). */
export interface RequestHeaderSettings {
  /** CAs the front proxy's client certificate must chain to; empty: request-header authentication is off. */
  readonly caCertificates: readonly X509Certificate[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
  /** Common names the front proxy's certificate may have; empty: any certificate from the CAs. */
  readonly allowedNames: readonly string[];
}

export interface AuthenticationSettings {
  /** CAs of client certificates that authenticate as their CN (user) and O (groups). */
  readonly clientCA: readonly X509Certificate[];
  readonly requestHeader: RequestHeaderSettings;
}

export interface AuthenticationConfigurationOptions {
  /** --client-ca-file; empty: from the ConfigMap (unless lookup is skipped). */
  readonly clientCaFile: string;
  /** --requestheader-*: used, all together, when `clientCaFile` is set; otherwise the ConfigMap decides. */
  readonly requestHeader: {
    readonly clientCaFile: string;
    readonly usernameHeaders: readonly string[];
    readonly uidHeaders: readonly string[];
    readonly groupHeaders: readonly string[];
    readonly extraHeaderPrefixes: readonly string[];
    readonly allowedNames: readonly string[];
  };
  /** --authentication-skip-lookup */
  readonly skipLookup: boolean;
  /** --authentication-tolerate-lookup-failure */
  readonly tolerateLookupFailure: boolean;
  /** Where the ConfigMap is read; required when a lookup is needed. */
  readonly kubeConfig?: KubeConfig;
  readonly log: Logger;
  /** How often the CA files are checked for changes (default 1s). */
  readonly fileCheckIntervalMs?: number;
  /** Timeout of the ConfigMap list (default 10s, as Go's lookup). */
  readonly requestTimeoutMs?: number;
  /** Delay between failed list/watch attempts: doubles from `initialMs` up to `maxMs` (default 500ms .. 30s). */
  readonly retryBackoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Server-side timeout of each watch (default 5 to 10 minutes, random, as client-go's reflector). */
  readonly watchTimeoutSeconds?: number;
}

/** The defaults of Go's RequestHeaderAuthenticationOptions (no UID header: Go does not default it either). */
const defaultRequestHeaders = {
  usernameHeaders: ['X-Remote-User'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

const noRequestHeader: RequestHeaderSettings = {
  caCertificates: [],
  usernameHeaders: [],
  uidHeaders: [],
  groupHeaders: [],
  extraHeaderPrefixes: [],
  allowedNames: [],
};

/** The options the server's flags describe. */
export function authenticationConfigurationOptions(
  flags: ServerFlags,
  kubeConfig: KubeConfig | undefined,
  log: Logger,
): AuthenticationConfigurationOptions {
  return {
    clientCaFile: flags.clientCaFile,
    requestHeader: {
      clientCaFile: flags.requestheaderClientCaFile,
      usernameHeaders: flags.requestheaderUsernameHeaders,
      uidHeaders: flags.requestheaderUidHeaders,
      groupHeaders: flags.requestheaderGroupHeaders,
      extraHeaderPrefixes: flags.requestheaderExtraHeadersPrefix,
      allowedNames: flags.requestheaderAllowedNames,
    },
    skipLookup: flags.authenticationSkipLookup,
    tolerateLookupFailure: flags.authenticationTolerateLookupFailure,
    kubeConfig,
    log,
  };
}

/**
 * The delegated authentication configuration, as k8s.io/apiserver assembles it: the client CA
 * from --client-ca-file, else from the ConfigMap kube-system/extension-apiserver-authentication;
 * the request-header settings from --requestheader-client-ca-file and the other
 * --requestheader-* flags, else all of them from the ConfigMap. CA files are re-read when they
 * change; the ConfigMap is listed and then watched (relisting after errors, with backoff), so
 * a rotated front-proxy or client CA takes effect without a restart. The getters are
 * synchronous and cheap: authenticators call them on every request.
 */
export class DelegatedAuthenticationConfiguration {
  /** Whether the ConfigMap is read at all (a flag is missing and lookup is not skipped). */
  readonly usesConfigMap: boolean;
  /** Resolves once the configuration has been read at least once; never rejects. */
  readonly ready: Promise<void>;
  /** Fails until the configuration has been read at least once (for /readyz). */
  readonly healthCheck: HealthCheck;

  private readonly log: Logger;
  private fileClientCA: readonly X509Certificate[] | undefined;
  private fileRequestHeaderCA: readonly X509Certificate[] | undefined;
  private configMapClientCA: readonly X509Certificate[] = [];
  private configMapRequestHeader: RequestHeaderSettings = noRequestHeader;
  private settings: AuthenticationSettings;
  private read = false;
  private markRead!: () => void;
  private lastError: string | undefined;
  private configMapSeen = false;
  private started = false;
  private readonly stopping = new AbortController();
  private watchRequest: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly fileWatches: { file: string; listener: () => void }[] = [];

  constructor(private readonly options: AuthenticationConfigurationOptions) {
    this.log = options.log;
    this.ready = new Promise<void>((resolve) => (this.markRead = resolve));
    this.usesConfigMap =
      !options.skipLookup && (!options.clientCaFile || !options.requestHeader.clientCaFile);
    if (this.usesConfigMap && !options.kubeConfig) {
      throw new Error(
        `reading configmap/${authenticationConfigMapName} in ${authenticationConfigMapNamespace} needs a kubeconfig (--authentication-kubeconfig, --kubeconfig or in-cluster); ` +
          'or pass --authentication-skip-lookup with --client-ca-file and --requestheader-client-ca-file',
      );
    }
    if (options.clientCaFile) this.fileClientCA = this.readCAFile(options.clientCaFile, '--client-ca-file');
    if (options.requestHeader.clientCaFile) {
      this.fileRequestHeaderCA = this.readCAFile(
        options.requestHeader.clientCaFile,
        '--requestheader-client-ca-file',
      );
    }
    const rh = options.requestHeader;
    const headerFlags = [
      rh.usernameHeaders,
      rh.uidHeaders,
      rh.groupHeaders,
      rh.extraHeaderPrefixes,
      rh.allowedNames,
    ];
    if (!rh.clientCaFile && headerFlags.some((list) => list.length > 0)) {
      this.log.info(
        0,
        'the --requestheader-* header and allowed-names flags apply only with --requestheader-client-ca-file; ignoring them',
      );
    }
    this.settings = this.merge();
    this.healthCheck = {
      name: 'delegated-authentication-configuration',
      check: async () => {
        if (this.read) return;
        const why = this.lastError ? `: ${this.lastError}` : '';
        throw new Error(
          `configmap/${authenticationConfigMapName} in ${authenticationConfigMapNamespace} has not been read yet${why}`,
        );
      },
    };
  }

  current(): AuthenticationSettings {
    return this.settings;
  }

  clientCAs(): readonly X509Certificate[] {
    return this.settings.clientCA;
  }

  requestHeader(): RequestHeaderSettings {
    return this.settings.requestHeader;
  }

  /**
   * Starts watching the CA files and reads the ConfigMap once. A failed read is fatal (it
   * rejects, and everything is stopped) unless failures are tolerated: then the server starts
   * without that configuration and keeps trying in the background.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.watchFiles();
    if (!this.usesConfigMap) {
      if (!this.options.clientCaFile && !this.options.requestHeader.clientCaFile) {
        this.log.info(
          0,
          'authentication lookup skipped and no CA files given: client certificates and front-proxy headers are not trusted',
        );
      }
      this.setRead();
      return;
    }
    let resourceVersion: string;
    try {
      resourceVersion = await this.list();
    } catch (error) {
      const message = this.describeFailure(error);
      this.lastError = message;
      if (!this.options.tolerateLookupFailure) {
        this.stop();
        throw new Error(`unable to load configmap based authentication configuration: ${message}`);
      }
      this.log.error(
        'error looking up in-cluster authentication configuration; continuing without it, so requests may be treated as anonymous (set --authentication-tolerate-lookup-failure=false to require it)',
        { error: message },
      );
      this.loop = this.run(undefined, true);
      return;
    }
    this.loop = this.run(resourceVersion, false);
  }

  stop(): void {
    this.stopping.abort();
    this.watchRequest?.abort();
    for (const { file, listener } of this.fileWatches.splice(0)) unwatchFile(file, listener);
  }

  /** Stops, and resolves once the list/watch loop has ended (no request of ours is still on its way). */
  async close(): Promise<void> {
    this.stop();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private setRead(): void {
    if (this.read) return;
    this.read = true;
    this.lastError = undefined;
    this.markRead();
  }

  private merge(): AuthenticationSettings {
    const flags = this.options.requestHeader;
    const requestHeader: RequestHeaderSettings = this.fileRequestHeaderCA
      ? {
          caCertificates: this.fileRequestHeaderCA,
          usernameHeaders:
            flags.usernameHeaders.length > 0 ? flags.usernameHeaders : defaultRequestHeaders.usernameHeaders,
          uidHeaders: flags.uidHeaders,
          groupHeaders:
            flags.groupHeaders.length > 0 ? flags.groupHeaders : defaultRequestHeaders.groupHeaders,
          extraHeaderPrefixes:
            flags.extraHeaderPrefixes.length > 0
              ? flags.extraHeaderPrefixes
              : defaultRequestHeaders.extraHeaderPrefixes,
          allowedNames: flags.allowedNames,
        }
      : this.configMapRequestHeader;
    return { clientCA: this.fileClientCA ?? this.configMapClientCA, requestHeader };
  }

  private readCAFile(file: string, flag: string): X509Certificate[] {
    let certificates: X509Certificate[];
    try {
      certificates = parseCertificateBundle(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${flag}: cannot read ${file}: ${messageOf(error)}`);
    }
    if (certificates.length === 0) throw new Error(`${flag}: ${file} holds no PEM certificate`);
    return certificates;
  }

  private watchFiles(): void {
    const interval = this.options.fileCheckIntervalMs ?? 1000;
    const watch = (file: string, flag: string, apply: (cas: X509Certificate[]) => void): void => {
      const listener = (): void => {
        try {
          apply(this.readCAFile(file, flag));
          this.settings = this.merge();
          this.log.info(1, 'reloaded a CA file', { flag, file });
        } catch (error) {
          this.log.error('could not reload a CA file; keeping the previous certificates', {
            flag,
            error: messageOf(error),
          });
        }
      };
      watchFile(file, { interval, persistent: false }, listener);
      this.fileWatches.push({ file, listener });
    };
    if (this.options.clientCaFile)
      watch(this.options.clientCaFile, '--client-ca-file', (cas) => (this.fileClientCA = cas));
    const requestHeaderFile = this.options.requestHeader.clientCaFile;
    if (requestHeaderFile)
      watch(requestHeaderFile, '--requestheader-client-ca-file', (cas) => (this.fileRequestHeaderCA = cas));
  }

  private describeFailure(error: unknown): string {
    const message = messageOf(error);
    if (statusOf(error) !== 403) return message;
    return (
      `${message} (usually fixed by 'kubectl create rolebinding -n ${authenticationConfigMapNamespace} ROLEBINDING_NAME ` +
      `--role=${authenticationReaderRole} --serviceaccount=YOUR_NS:YOUR_SA')`
    );
  }

  // --- the ConfigMap: list, then watch; relist after errors and expired resource versions ---

  private get fieldSelector(): string {
    return `metadata.name=${authenticationConfigMapName}`;
  }

  /** Lists the ConfigMap, applies what it finds and returns the list's resourceVersion. */
  private async list(): Promise<string> {
    const core = (this.options.kubeConfig as KubeConfig).makeApiClient(CoreV1Api);
    const list = await core.listNamespacedConfigMap(
      { namespace: authenticationConfigMapNamespace, fieldSelector: this.fieldSelector },
      withRequestTimeout(this.options.requestTimeoutMs ?? 10_000, this.stopping.signal),
    );
    this.applyConfigMap(list.items.find((item) => item.metadata?.name === authenticationConfigMapName));
    this.setRead();
    return list.metadata?.resourceVersion ?? '';
  }

  /** The background loop: watch from `resourceVersion`, relisting when it is unknown. Never rejects. */
  private async run(resourceVersion: string | undefined, failedBefore: boolean): Promise<void> {
    const backoff = this.options.retryBackoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = backoff.initialMs;
    let pause = failedBefore;
    while (!this.stopped) {
      if (pause) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, backoff.maxMs);
        pause = false;
        if (this.stopped) return;
      }
      try {
        if (resourceVersion === undefined) resourceVersion = await this.list();
        if (this.stopped) return;
        const startedAt = Date.now();
        const outcome = await this.watchOnce(resourceVersion);
        resourceVersion = outcome.resourceVersion;
        // A watch that ends at once, again and again, must not spin.
        if (Date.now() - startedAt < 1000 && !outcome.sawEvents) pause = true;
        else delay = backoff.initialMs;
      } catch (error) {
        if (this.stopped) return;
        this.lastError = this.describeFailure(error);
        this.log.error('watching the authentication configmap failed; retrying', {
          configmap: `${authenticationConfigMapNamespace}/${authenticationConfigMapName}`,
          error: this.lastError,
          retryInMs: delay,
        });
        resourceVersion = undefined;
        pause = true;
      }
    }
  }

  /** One watch; resolves with the resourceVersion to resume from (undefined: relist). */
  private watchOnce(
    resourceVersion: string,
  ): Promise<{ resourceVersion: string | undefined; sawEvents: boolean }> {
    const kubeConfig = this.options.kubeConfig as KubeConfig;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    return new Promise((resolve, reject) => {
      let current: string | undefined = resourceVersion;
      let relist = false;
      let sawEvents = false;
      let finished = false;
      const onEvent = (phase: string, object: unknown): void => {
        sawEvents = true;
        const rv = (object as V1ConfigMap | undefined)?.metadata?.resourceVersion;
        switch (phase) {
          case 'ADDED':
          case 'MODIFIED':
            this.applyConfigMap(object as V1ConfigMap);
            break;
          case 'DELETED':
            this.applyConfigMap(undefined, true);
            break;
          case 'BOOKMARK':
            break;
          case 'ERROR': {
            // 410 Gone (resource version too old) and any other error: start over with a list.
            const status = object as { code?: number; message?: string } | undefined;
            if (status?.code !== 410) this.lastError = `watch error: ${status?.message ?? 'unknown'}`;
            relist = true;
            this.watchRequest?.abort();
            return;
          }
        }
        if (rv) current = rv;
      };
      const done = (error: unknown): void => {
        finished = true;
        this.watchRequest = undefined;
        if (this.stopped || relist) resolve({ resourceVersion: undefined, sawEvents });
        else if (error && statusOf(error) === 410) resolve({ resourceVersion: undefined, sawEvents });
        else if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve({ resourceVersion: current, sawEvents });
      };
      new Watch(kubeConfig)
        .watch(
          `/api/v1/namespaces/${authenticationConfigMapNamespace}/configmaps`,
          { fieldSelector: this.fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          onEvent,
          done,
        )
        .then(
          (request) => {
            if (finished) return;
            this.watchRequest = request;
            if (this.stopped) request.abort();
          },
          (error: unknown) => {
            if (!finished) done(error);
          },
        );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopping.signal;
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', finish, { once: true });
    });
  }

  /**
   * Takes in what the ConfigMap says. As in Go, a CA that is missing, empty or unparsable keeps
   * the last good one (never "no CA" because of a bad edit), and a deleted ConfigMap keeps the
   * whole last configuration; the header lists follow the ConfigMap.
   */
  private applyConfigMap(configMap: V1ConfigMap | undefined, deleted = false): void {
    if (!configMap) {
      if (deleted)
        this.log.error(
          'the authentication configmap was deleted; keeping the last configuration read from it',
        );
      else if (!this.configMapSeen) {
        this.log.info(
          0,
          `configmap/${authenticationConfigMapName} in ${authenticationConfigMapNamespace} not found: client certificate and front-proxy authentication are off until it exists`,
        );
      }
      return;
    }
    this.configMapSeen = true;
    const data = configMap.data ?? {};
    const clientCA = this.caFromConfigMap(
      data[configMapKeys.clientCA],
      configMapKeys.clientCA,
      this.configMapClientCA,
    );
    const requestHeaderCA = this.caFromConfigMap(
      data[configMapKeys.requestHeaderCA],
      configMapKeys.requestHeaderCA,
      this.configMapRequestHeader.caCertificates,
    );
    let lists: Omit<RequestHeaderSettings, 'caCertificates'>;
    try {
      lists = {
        usernameHeaders: stringList(data[configMapKeys.usernameHeaders], configMapKeys.usernameHeaders),
        uidHeaders: stringList(data[configMapKeys.uidHeaders], configMapKeys.uidHeaders),
        groupHeaders: stringList(data[configMapKeys.groupHeaders], configMapKeys.groupHeaders),
        extraHeaderPrefixes: stringList(
          data[configMapKeys.extraHeaderPrefixes],
          configMapKeys.extraHeaderPrefixes,
        ),
        allowedNames: stringList(data[configMapKeys.allowedNames], configMapKeys.allowedNames),
      };
    } catch (error) {
      this.log.error(
        'invalid request-header settings in the authentication configmap; keeping the previous ones',
        {
          error: messageOf(error),
        },
      );
      lists = this.configMapRequestHeader;
    }
    const requestHeader: RequestHeaderSettings = { ...lists, caCertificates: requestHeaderCA };
    const changed =
      fingerprint(clientCA) !== fingerprint(this.configMapClientCA) ||
      describeRequestHeader(requestHeader) !== describeRequestHeader(this.configMapRequestHeader);
    this.configMapClientCA = clientCA;
    this.configMapRequestHeader = requestHeader;
    this.settings = this.merge();
    if (changed) {
      this.log.info(1, 'loaded the authentication configuration from the configmap', {
        resourceVersion: configMap.metadata?.resourceVersion,
        clientCAs: clientCA.length,
        requestHeaderCAs: requestHeaderCA.length,
        allowedNames: requestHeader.allowedNames,
      });
    }
  }

  private caFromConfigMap(
    pem: string | undefined,
    key: string,
    previous: readonly X509Certificate[],
  ): readonly X509Certificate[] {
    if (!pem) return previous;
    try {
      const certificates = parseCertificateBundle(pem);
      if (certificates.length === 0) throw new Error('no PEM certificate');
      return certificates;
    } catch (error) {
      this.log.error('invalid CA bundle in the authentication configmap; keeping the previous one', {
        key,
        error: messageOf(error),
      });
      return previous;
    }
  }
}

/** A ConfigMap list value: a JSON array of strings; empty or missing is an empty list. */
function stringList(text: string | undefined, key: string): string[] {
  if (!text) return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    throw new Error(`${key} is not a JSON array of strings`);
  }
  return parsed;
}

function fingerprint(certificates: readonly X509Certificate[]): string {
  return certificates.map((c) => c.fingerprint256).join(',');
}

function describeRequestHeader(settings: RequestHeaderSettings): string {
  const { caCertificates, ...lists } = settings;
  return `${fingerprint(caCertificates)}|${JSON.stringify(lists)}`;
}
