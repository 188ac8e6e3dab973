import { deployWidgets } from '../../../apps/widgets/widgets-component.js';
import { kubernetesObjects } from '../../../lib/pulumi/testing/kubernetes-objects.js';
import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import { expectSameObjects } from '../../lib/pulumi/support/same-objects.js';
import { cleanupTempDirs } from '../../lib/support/synth.js';
import { synthWidgets } from '../support/synth-widgets.js';

afterAll(cleanupTempDirs);

describe('the Widget API deployed by the Pulumi component (apps/widgets)', () => {
  test('GIVEN the same definition THEN it deploys the objects the cdk8s construct synthesizes', async () => {
    const { resources } = await runUnderMocks(() => deployWidgets({ tlsMode: 'generated' }));
    expectSameObjects(kubernetesObjects(resources), synthWidgets({ tlsMode: 'generated' }));
  });
});
