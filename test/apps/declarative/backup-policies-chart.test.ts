import type { V1APIService, V1ClusterRole, V1Deployment } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { loadDeclarativeResources } from '../../../api/index.js';
import { BackupPoliciesChart } from '../../../apps/declarative/backup-policies-chart.js';
import { DEFAULT_IMAGE } from '../../../lib/core/index.js';
import { all, cleanupTempDirs, one, type Synthesized, tempDir } from '../../lib/support/synth.js';

afterAll(cleanupTempDirs);

function synthBackupPolicies(image?: string): Synthesized[] {
  const chart = new BackupPoliciesChart(Testing.app(), 'acme-ops', {
    image,
    keyStoreDir: tempDir(),
    logger: () => undefined,
  });
  return Testing.synth(chart) as Synthesized[];
}

describe('the declarative BackupPolicy on the stock image (apps/declarative)', () => {
  const objects = synthBackupPolicies();
  const container = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0];

  test('GIVEN no image THEN the stock image runs, given the definition in a ConfigMap it validates the same way', () => {
    expect(container?.image).toBe(DEFAULT_IMAGE);
    const configMap = one<{ data: Record<string, string> }>(
      objects,
      'ConfigMap',
      'ops-apiserver-resource-definitions',
    );
    const definitions = loadDeclarativeResources(configMap.data['resources.json'], 'the ConfigMap');
    expect(definitions.map((d) => `${d.plural}.${d.group}`)).toEqual(['backuppolicies.ops.acme.io']);
    expect(container?.args).toEqual(
      expect.arrayContaining([
        '--resources=backuppolicies.ops.acme.io',
        '--resource-definitions=/etc/aggregated-apiserver/resource-definitions/resources.json',
        '--controllers=*,-metricsnapshot-collector',
      ]),
    );
  });

  test('GIVEN the definition THEN its APIService and the roles: view reads, edit writes the namespaced kind', () => {
    expect(all<V1APIService>(objects, 'APIService').map((a) => a.metadata.name)).toEqual(['v1.ops.acme.io']);
    expect(one<V1ClusterRole>(objects, 'ClusterRole', 'acme-ops:ops-apiserver:edit').rules).toEqual([
      {
        apiGroups: ['ops.acme.io'],
        resources: ['backuppolicies'],
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      },
    ]);
  });

  test('GIVEN a copy of the stock image in a registry THEN it is still handed the ConfigMap', () => {
    const copied = synthBackupPolicies('registry.acme.io/mirror/aggregated-apiserver:0.1.0');
    expect(one<V1Deployment>(copied, 'Deployment').spec?.template.spec?.containers[0].image).toBe(
      'registry.acme.io/mirror/aggregated-apiserver:0.1.0',
    );
    expect(all(copied, 'ConfigMap').map((c) => c.metadata.name)).toEqual([
      'ops-apiserver-resource-definitions',
    ]);
  });
});
