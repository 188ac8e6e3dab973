import { manifestList, renderManifests, resolveConfig } from '../../../lib/core/index.js';
import type { AggregatedApiServerProps } from '../../../lib/cdk8s/index.js';
import { expectCdk8sObjects, PARITY_CASES, type ParityProps } from '../support/parity.js';
import { cleanupTempDirs, synthServer } from '../support/synth.js';

/**
 * One source of truth: what the cdk8s construct synthesizes is exactly what lib/core renders (the
 * objects a Pulumi component creates), field for field (test/lib/support/parity.ts lists the props).
 */

afterAll(cleanupTempDirs);

function expectParity(props: ParityProps): void {
  const { objects, server } = synthServer(props);
  const { logger: _logger, ...options } = {
    ...props,
    name: 'custom-apiserver',
    resources: server.config.resources.map((r) => r.definition),
    tls: server.config.tls,
  } as AggregatedApiServerProps;
  const core = manifestList(renderManifests(resolveConfig(options), server.tlsMaterial));
  expectCdk8sObjects(objects, core);
}

describe('cdk8s output equals lib/core rendering', () => {
  test.each(PARITY_CASES)('GIVEN $name', async ({ props }) => {
    expectParity(await props());
  });
});
