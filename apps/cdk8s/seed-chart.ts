import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AggregatedApiServer, type AggregatedApiServerProps } from '../../lib/cdk8s/index.js';
import { seedServerOptions, type SeedOptions } from '../seed/seed-options.js';

export { seedOptionsFromEnv } from '../seed/seed-options.js';

/** The seed options, plus where the construct's key store messages go. */
export interface SeedChartOptions extends SeedOptions {
  /** Receives key store messages. @default - stderr */
  readonly logger?: (message: string) => void;
}

/**
 * The seed system: the MetricSnapshot API (metrics.example.com, served as v1 and v1beta1) in
 * namespace `custom-apiserver`, two replicas backed by a dedicated three-member etcd, with a
 * serving certificate the server manages itself (or one generated at synth time).
 */
export class SeedChart extends Chart {
  /** The aggregated API server. */
  public readonly server: AggregatedApiServer;

  constructor(scope: Construct, id: string, options: SeedChartOptions = {}, props: ChartProps = {}) {
    super(scope, id, props);
    const neutral = seedServerOptions(options, 'self-managed');
    const serverProps: AggregatedApiServerProps = {
      ...neutral,
      tls:
        neutral.tls.mode === 'generated'
          ? { ...neutral.tls, mode: 'generated', keyStoreDir: options.keyStoreDir }
          : { ...neutral.tls, mode: 'self-managed' },
      logger: options.logger,
    };
    this.server = new AggregatedApiServer(this, 'MetricsApiServer', serverProps);
  }
}
