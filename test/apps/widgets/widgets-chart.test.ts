import type { V1APIService, V1ClusterRole, V1Deployment } from '@kubernetes/client-node';
import { WIDGETS_IMAGE } from '../../../apps/widgets/deployment.js';
import { all, cleanupTempDirs, one } from '../../lib/support/synth.js';
import { synthWidgets } from '../support/synth-widgets.js';

afterAll(cleanupTempDirs);

describe('the Widget API deployed by the cdk8s construct from its definition (apps/widgets)', () => {
  const objects = synthWidgets();

  test('GIVEN the definition THEN one APIService per served version', () => {
    expect(all<V1APIService>(objects, 'APIService').map((a) => a.metadata.name)).toEqual([
      'v1.widgets.acme.io',
      'v1alpha1.widgets.acme.io',
    ]);
  });

  test('GIVEN a cluster-scoped Widget with status and scale THEN view reads all three, and there is no edit role', () => {
    const view = one<V1ClusterRole>(objects, 'ClusterRole', 'acme-widgets:widgets-apiserver:view');
    expect(view.rules).toEqual([
      {
        apiGroups: ['widgets.acme.io'],
        resources: ['widgets', 'widgets/status', 'widgets/scale'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    expect(all(objects, 'ClusterRole').map((r) => r.metadata.name)).not.toContain(
      'acme-widgets:widgets-apiserver:edit',
    );
  });

  test("GIVEN the team's image THEN it serves the Widget itself: --resources names it and no ConfigMap is rendered", () => {
    const container = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0];
    expect(container?.image).toBe(WIDGETS_IMAGE);
    expect(container?.args).toContain('--resources=widgets.widgets.acme.io');
    expect(container?.args?.some((a) => a.startsWith('--resource-definitions'))).toBe(false);
    expect(all(objects, 'ConfigMap')).toEqual([]);
  });

  test('GIVEN a JSON-file storage THEN one replica with the data directory on a volume of its own', () => {
    const deployment = one<V1Deployment>(objects, 'Deployment');
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.template.spec?.containers[0].args).toContain(
      '--data-dir=/var/lib/aggregated-apiserver',
    );
    expect(one(objects, 'PersistentVolumeClaim').metadata.name).toBe('widgets-apiserver-data');
  });
});
