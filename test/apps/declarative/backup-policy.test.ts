import { backupPolicy } from '../../../apps/declarative/backup-policy.js';
import { declarativeDocument, loadDeclarativeResources } from '../../../api/index.js';

describe('the declarative BackupPolicy example', () => {
  test('is plain data, so the stock server can load it from its JSON', () => {
    expect(backupPolicy.declarative).toBe(true);
    const [loaded] = loadDeclarativeResources(
      JSON.stringify(declarativeDocument([backupPolicy])),
      'configmap',
    );
    expect(loaded.plural).toBe('backuppolicies');
  });

  test('its CEL rules refuse a bad schedule and a long local retention, naming the fields', () => {
    const policy = (spec: Record<string, unknown>) => ({
      apiVersion: 'ops.acme.io/v1',
      kind: 'BackupPolicy',
      metadata: { name: 'p' },
      spec: { target: 'local', ...spec },
    });
    const rules = backupPolicy.versions[0].rules;
    expect(rules.validate(policy({ schedule: '0 3 * * *', retentionDays: 7 }), undefined)).toEqual([]);
    const fields = rules
      .validate(policy({ schedule: 'nightly', retentionDays: 90 }), undefined)
      .map((c) => c.field);
    expect(fields.sort()).toEqual(['spec.retentionDays', 'spec.schedule']);
  });
});
