import { defineResource } from 'aggregated-apiserver/api';

/** A user's own resource, defined outside the repository with the public API only. */
export const gizmo = defineResource({
  group: 'gizmos.example.org',
  kind: 'Gizmo',
  versions: [
    {
      name: 'v1',
      schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              teeth: {
                type: 'integer',
                minimum: 1,
                'x-kubernetes-validations': [{ rule: 'self % 2 == 0', message: 'teeth come in pairs' }],
              },
            },
          },
        },
      },
      printerColumns: [{ name: 'Teeth', type: 'integer', jsonPath: '.spec.teeth' }],
    },
  ],
  storage: async ({ dataDir }) => {
    const { CountingStorage } = await import('./counting-storage.js');
    return new CountingStorage(`${dataDir}/writes.log`);
  },
});
