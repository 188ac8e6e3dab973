import { manifestList, renderManifests, resolveConfig } from '../../../lib/core/index.js';
import { PARITY_CASES, type ParityProps } from '../support/parity.js';
import { metricSnapshot } from '../support/definitions.js';
import { cleanupTempDirs, synthServer } from '../support/synth.js';
import { deployUnderMocks, valueOf } from './support/mock-deploy.js';
import { expectSameObjects, withoutAwaitAnnotation } from './support/same-objects.js';

/**
 * One source of truth, two tools: for the same props (test/lib/support/parity.ts) the Pulumi
 * component deploys the objects the cdk8s construct synthesizes (same kinds, names, namespaces,
 * order and specs; see support/same-objects.ts for what is ignored), and exactly what lib/core
 * renders.
 */

afterAll(cleanupTempDirs);

async function expectParity(props: ParityProps): Promise<void> {
  // GIVEN the same props WHEN deployed by each tool THEN the same objects
  const pulumiDeployed = await deployUnderMocks(props);
  const pulumi = pulumiDeployed.objects;
  expectSameObjects(pulumi, synthServer(props).objects);

  // AND exactly what lib/core renders with the component's material, await annotations aside.
  const material = pulumiDeployed.server.tlsMaterial && (await valueOf(pulumiDeployed.server.tlsMaterial));
  const core = manifestList(
    renderManifests(
      resolveConfig({ name: 'custom-apiserver', resources: [metricSnapshot], ...props }),
      material,
    ),
  );
  expect(pulumi.map(withoutAwaitAnnotation)).toEqual(core.map((o) => JSON.parse(JSON.stringify(o))));
}

describe('the Pulumi component deploys what the cdk8s construct synthesizes', () => {
  test.each(PARITY_CASES)('GIVEN $name', async ({ props }) => {
    await expectParity(await props());
  });
});
