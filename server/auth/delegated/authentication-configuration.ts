import type { X509Certificate } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { HealthCheck } from '../../http/health.js';
import type { Logger } from '../../util/logger.js';
import {
  authenticationConfigMap,
  authenticationConfigMapDescription,
  describeLookupFailure,
  settingsFromConfigMap,
} from './authentication-configmap.js';
import type { AuthenticationConfigurationOptions } from './authentication-configuration-options.js';
import {
  noAuthenticationSettings,
  sameAuthenticationSettings,
  type AuthenticationSettings,
  type RequestHeaderSettings,
} from './authentication-settings.js';
import { CABundleFile } from './ca-bundle-file.js';
import { ConfigMapInformer } from './configmap-informer.js';
import { FirstReadReadiness } from './first-read-readiness.js';
import { hasRequestHeaderListFlags, mergeAuthenticationSettings } from './merge-authentication-settings.js';

/**
 * The delegated authentication configuration, as k8s.io/apiserver assembles it: the client CA
 * from --client-ca-file, else from the ConfigMap kube-system/extension-apiserver-authentication;
 * the request-header settings from --requestheader-client-ca-file and the other
 * --requestheader-* flags, else all of them from the ConfigMap. CA files are re-read when they
 * change and the ConfigMap is watched, so a rotated front-proxy or client CA takes effect
 * without a restart. The getters are synchronous and cheap: authenticators call them on every
 * request.
 */
export class DelegatedAuthenticationConfiguration {
  /** Whether the ConfigMap is read at all (a flag is missing and lookup is not skipped). */
  readonly usesConfigMap: boolean;
  /** Resolves once the configuration has been read at least once; never rejects. */
  readonly ready: Promise<void>;
  /** Fails until the configuration has been read at least once (for /readyz). */
  readonly healthCheck: HealthCheck;

  private readonly log: Logger;
  private readonly readiness: FirstReadReadiness;
  private readonly clientCaFile: CABundleFile | undefined;
  private readonly requestHeaderCaFile: CABundleFile | undefined;
  private readonly informer: ConfigMapInformer | undefined;
  private fromConfigMap: AuthenticationSettings = noAuthenticationSettings;
  private configMapSeen = false;
  private settings: AuthenticationSettings;
  private started = false;
  /** While start() waits for the first list, which start() itself reports on. */
  private starting = false;

  constructor(private readonly options: AuthenticationConfigurationOptions) {
    this.log = options.log;
    this.readiness = new FirstReadReadiness(
      'delegated-authentication-configuration',
      authenticationConfigMapDescription,
    );
    this.ready = this.readiness.ready;
    this.healthCheck = this.readiness.healthCheck;

    const flags = options.requestHeader;
    this.usesConfigMap = !options.skipLookup && (!options.clientCaFile || !flags.clientCaFile);
    if (this.usesConfigMap && !options.kubeConfig) {
      throw new Error(
        `reading ${authenticationConfigMapDescription} needs a kubeconfig (--authentication-kubeconfig, --kubeconfig or in-cluster); ` +
          'or pass --authentication-skip-lookup with --client-ca-file and --requestheader-client-ca-file',
      );
    }
    this.clientCaFile = options.clientCaFile
      ? new CABundleFile(options.clientCaFile, '--client-ca-file')
      : undefined;
    this.requestHeaderCaFile = flags.clientCaFile
      ? new CABundleFile(flags.clientCaFile, '--requestheader-client-ca-file')
      : undefined;
    if (!flags.clientCaFile && hasRequestHeaderListFlags(flags)) {
      this.log.info(
        0,
        'the --requestheader-* header and allowed-names flags apply only with --requestheader-client-ca-file; ignoring them',
      );
    }
    if (this.usesConfigMap && options.kubeConfig) {
      this.informer = new ConfigMapInformer({
        kubeConfig: options.kubeConfig,
        ...authenticationConfigMap,
        requestTimeoutMs: options.requestTimeoutMs,
        retryBackoff: options.retryBackoff,
        watchTimeoutSeconds: options.watchTimeoutSeconds,
        handlers: {
          listed: (configMap) => this.listed(configMap),
          changed: (configMap) => this.takeIn(configMap),
          deleted: () =>
            this.log.error(
              'the authentication configmap was deleted; keeping the last configuration read from it',
            ),
          failed: (error, retryInMs) => this.lookupFailed(error, retryInMs),
        },
      });
    }
    this.settings = this.merge();
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
    const fileWatch = {
      intervalMs: this.options.fileCheckIntervalMs ?? 1000,
      log: this.log,
      onChange: () => (this.settings = this.merge()),
    };
    this.clientCaFile?.watch(fileWatch);
    this.requestHeaderCaFile?.watch(fileWatch);
    if (!this.informer) {
      if (!this.clientCaFile && !this.requestHeaderCaFile) {
        this.log.info(
          0,
          'authentication lookup skipped and no CA files given: client certificates and front-proxy headers are not trusted',
        );
      }
      this.readiness.markRead();
      return;
    }
    this.starting = true;
    try {
      await this.informer.start();
    } catch (error) {
      const message = describeLookupFailure(error);
      if (!this.options.tolerateLookupFailure) {
        await this.close();
        throw new Error(`unable to load configmap based authentication configuration: ${message}`);
      }
      this.log.error(
        'error looking up in-cluster authentication configuration; continuing without it, so requests may be treated as anonymous (set --authentication-tolerate-lookup-failure=false to require it)',
        { error: message },
      );
    } finally {
      this.starting = false;
    }
  }

  /** Stops the ConfigMap informer and the CA file watches. */
  stop(): void {
    this.informer?.stop();
    this.clientCaFile?.stop();
    this.requestHeaderCaFile?.stop();
  }

  /** Stops, and resolves once no request to read the ConfigMap is still on its way. */
  async close(): Promise<void> {
    this.stop();
    await this.informer?.close();
  }

  private merge(): AuthenticationSettings {
    return mergeAuthenticationSettings(
      this.options.requestHeader,
      { clientCA: this.clientCaFile?.current, requestHeaderCA: this.requestHeaderCaFile?.current },
      this.fromConfigMap,
    );
  }

  private listed(configMap: V1ConfigMap | undefined): void {
    if (configMap) this.takeIn(configMap);
    else if (!this.configMapSeen) {
      this.log.info(
        0,
        `${authenticationConfigMapDescription} not found: client certificate and front-proxy authentication are off until it exists`,
      );
    }
    this.readiness.markRead();
  }

  private takeIn(configMap: V1ConfigMap): void {
    this.configMapSeen = true;
    const previous = this.fromConfigMap;
    this.fromConfigMap = settingsFromConfigMap(configMap, previous, this.log);
    this.settings = this.merge();
    if (sameAuthenticationSettings(previous, this.fromConfigMap)) return;
    this.log.info(1, 'loaded the authentication configuration from the configmap', {
      resourceVersion: configMap.metadata?.resourceVersion,
      clientCAs: this.fromConfigMap.clientCA.length,
      requestHeaderCAs: this.fromConfigMap.requestHeader.caCertificates.length,
      allowedNames: this.fromConfigMap.requestHeader.allowedNames,
    });
  }

  private lookupFailed(error: unknown, retryInMs: number): void {
    const message = describeLookupFailure(error);
    this.readiness.recordFailure(message);
    if (this.starting) return;
    this.log.error('reading the authentication configmap failed; retrying', {
      configmap: `${authenticationConfigMap.namespace}/${authenticationConfigMap.name}`,
      error: message,
      retryInMs,
    });
  }
}
