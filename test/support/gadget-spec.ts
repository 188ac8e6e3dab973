import type { ResourceSpec } from '../../api/index.js';

/** A small declarative resource for tests: namespaced Gadgets whose mode is never `off` (a CEL rule). */
export const gadgetSpec: ResourceSpec = {
  group: 'ops.acme.io',
  kind: 'Gadget',
  versions: [
    {
      name: 'v1',
      schema: {
        type: 'object',
        properties: {
          spec: {
            type: 'object',
            properties: {
              mode: {
                type: 'string',
                'x-kubernetes-validations': [{ rule: "self != 'off'", message: 'a gadget is never off' }],
              },
            },
          },
        },
      },
      printerColumns: [{ name: 'Mode', type: 'string', jsonPath: '.spec.mode' }],
    },
  ],
};
