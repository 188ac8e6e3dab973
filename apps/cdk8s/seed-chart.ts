import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AggregatedApiServer } from '../../lib/cdk8s/index.js';
import { seedServerOptions } from '../seed/seed-options.js';
import { cdk8sTls } from '../support/cdk8s-tls.js';
import type { DeploymentEnvironment } from '../support/deployment-environment.js';

/** The seed's environment, plus where the construct's key store messages go. */
export interface SeedChartOptions extends DeploymentEnvironment {
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
    this.server = new AggregatedApiServer(this, 'MetricsApiServer', {
      ...neutral,
      tls: cdk8sTls(neutral.tls, options.keyStoreDir),
      logger: options.logger,
    });
  }
}
