import type { AggregatedApiServerOptions } from '../core/index.js';

/**
 * Props of AggregatedApiServer: the framework-neutral AggregatedApiServerOptions (see
 * lib/core/options.ts for every field, its meaning and default) plus what only cdk8s needs.
 */
export interface AggregatedApiServerProps extends AggregatedApiServerOptions {
  /**
   * Receives the key store's messages (CA or serving certificate generated, re-issued, expiring).
   * @default - written to stderr
   */
  readonly logger?: (message: string) => void;
}
