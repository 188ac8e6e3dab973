import { defineResource } from '../../api/index.js';

/**
 * A declarative resource: plain data (schema, CEL rules, JSONPath columns), no code. The stock
 * server image serves it from the ConfigMap the constructs render, so this team needs no image of
 * its own.
 */
export const backupPolicy = defineResource({
  group: 'ops.acme.io',
  kind: 'BackupPolicy',
  shortNames: ['bp'],
  versions: [
    {
      name: 'v1',
      schema: {
        type: 'object',
        required: ['spec'],
        properties: {
          spec: {
            type: 'object',
            required: ['schedule', 'retentionDays'],
            properties: {
              schedule: {
                type: 'string',
                description: 'When backups run, as a cron expression of five fields.',
                'x-kubernetes-validations': [
                  {
                    rule: "self.split(' ').size() == 5",
                    message: 'must be a cron expression of five fields',
                  },
                ],
              },
              retentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
              target: { type: 'string', enum: ['s3', 'gcs', 'local'], default: 'local' },
            },
            'x-kubernetes-validations': [
              {
                rule: "self.target != 'local' || self.retentionDays <= 30",
                message: 'local backups are kept at most 30 days',
                fieldPath: '.retentionDays',
              },
            ],
          },
        },
      },
      printerColumns: [
        { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
        { name: 'Retention', type: 'integer', jsonPath: '.spec.retentionDays' },
        { name: 'Target', type: 'string', jsonPath: '.spec.target' },
      ],
      selectableFields: [{ jsonPath: '.spec.target' }],
    },
  ],
});
