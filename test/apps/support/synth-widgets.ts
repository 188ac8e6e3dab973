import { Testing } from 'cdk8s';
import { WidgetsChart } from '../../../apps/widgets/widgets-chart.js';
import { type Synthesized, tempDir } from '../../lib/support/synth.js';

/** The Widget API as apps/widgets/cdk8s.ts synthesizes it (key store in a temp dir: cleanupTempDirs). */
export function synthWidgets(env: { tlsMode?: 'generated' | 'self-managed' } = {}): Synthesized[] {
  const chart = new WidgetsChart(Testing.app(), 'acme-widgets', {
    ...env,
    keyStoreDir: tempDir(),
    logger: () => undefined,
  });
  return Testing.synth(chart) as Synthesized[];
}
