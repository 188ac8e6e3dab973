import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AggregatedApiServer } from '../../lib/cdk8s/index.js';
import { cdk8sTls } from '../support/cdk8s-tls.js';
import type { DeploymentEnvironment } from '../support/deployment-environment.js';
import { backupPoliciesServerOptions } from './deployment.js';

/** The environment, plus where the construct's key store messages go. */
export interface BackupPoliciesChartOptions extends DeploymentEnvironment {
  /** Receives key store messages. @default - stderr */
  readonly logger?: (message: string) => void;
}

/** The BackupPolicy API deployed with cdk8s on the stock image (see deployment.ts). */
export class BackupPoliciesChart extends Chart {
  /** The aggregated API server. */
  public readonly server: AggregatedApiServer;

  constructor(
    scope: Construct,
    id: string,
    options: BackupPoliciesChartOptions = {},
    props: ChartProps = {},
  ) {
    super(scope, id, props);
    const neutral = backupPoliciesServerOptions(options, 'self-managed');
    this.server = new AggregatedApiServer(this, 'OpsApiServer', {
      ...neutral,
      tls: cdk8sTls(neutral.tls, options.keyStoreDir),
      logger: options.logger,
    });
  }
}
