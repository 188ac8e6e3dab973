import { typeMetaProperties, type JSONSchema } from '../../api/json-schema.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import { scaleSchema } from '../registry/scale.js';
import { metaNames, metaSchemas } from './meta-schemas.js';

type Ref = (name: string) => string;

/** autoscaling/v1 Scale, as kube-apiserver names it in its documents. */
const scaleName = 'io.k8s.api.autoscaling.v1.Scale';

function scaleDefinition(ref: Ref): JSONSchema {
  return {
    ...scaleSchema,
    properties: { ...scaleSchema.properties, metadata: { $ref: ref(metaNames.objectMeta) } },
    'x-kubernetes-group-version-kind': gvk('autoscaling', 'v1', 'Scale'),
  };
}
type Document = Record<string, unknown>;

/** `metrics.example.com` + v1 + MetricSnapshot -> `com.example.metrics.v1.MetricSnapshot`, kube's naming. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function gvk(group: string, version: string, kind: string): JSONSchema['x-kubernetes-group-version-kind'] {
  return [{ group, version, kind }];
}

/** The published schema of a kind: the served schema with metadata pointing at ObjectMeta. */
function kindSchemas(
  resource: ResourceDefinition,
  version: string,
  schema: JSONSchema,
  ref: Ref,
): Record<string, JSONSchema> {
  const name = definitionName(resource.group, version, resource.kind);
  return {
    [name]: {
      ...schema,
      properties: { ...schema.properties, metadata: { $ref: ref(metaNames.objectMeta) } },
      'x-kubernetes-group-version-kind': gvk(resource.group, version, resource.kind),
    },
    [`${name}List`]: {
      type: 'object',
      description: `${resource.kind}List is a list of ${resource.kind}.`,
      required: ['items'],
      properties: {
        ...typeMetaProperties,
        items: { type: 'array', description: `List of ${resource.plural}.`, items: { $ref: ref(name) } },
        metadata: { $ref: ref(metaNames.listMeta) },
      },
      'x-kubernetes-group-version-kind': gvk(resource.group, version, `${resource.kind}List`),
    },
  };
}

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
  readonly type: 'string' | 'integer' | 'boolean';
  readonly required?: boolean;
}

interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly action: string;
  readonly operationId: string;
  readonly description: string;
  readonly parameters: readonly Parameter[];
  readonly body?: { readonly schema: string; readonly mediaTypes: readonly string[] };
  readonly response: string;
  /** The kind the operation answers with, when it is not the resource's own (Scale). */
  readonly gvk?: { readonly group: string; readonly version: string; readonly kind: string };
  readonly responseCodes: readonly string[];
}

const query = (name: string, type: Parameter['type'], description: string): Parameter => ({
  name,
  in: 'query',
  type,
  description,
});
const writeParams = [
  query(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. Valid value: All.',
  ),
  query('fieldManager', 'string', 'A name associated with the actor or entity that is making these changes.'),
  query('fieldValidation', 'string', 'How the server handles unknown fields: Ignore, Warn or Strict.'),
];
const listParams = [
  query('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  query('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  query('limit', 'integer', 'The maximum number of responses to return for a list call.'),
  query('continue', 'string', 'The continue token of a previous paginated list call.'),
  query(
    'resourceVersion',
    'string',
    'Sets a constraint on what resource versions a request may be served from.',
  ),
  query('resourceVersionMatch', 'string', 'Determines how resourceVersion is applied to list calls.'),
  query('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  query(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
  query('allowWatchBookmarks', 'boolean', 'Requests watch events with type BOOKMARK.'),
  query(
    'sendInitialEvents',
    'boolean',
    'Sends synthetic ADDED events for the current state before the changes (watch-list).',
  ),
];
const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

interface PathSet {
  readonly path: string;
  readonly operations: readonly Operation[];
  readonly pathParameters: readonly Parameter[];
}

function resourcePaths(resource: ResourceDefinition, version: string): PathSet[] {
  const kindName = definitionName(resource.group, version, resource.kind);
  const listName = `${kindName}List`;
  const opKind = `${resource.kind}`;
  const verSuffix = `${resource.group.split('.')[0].replace(/^./, (c) => c.toUpperCase())}${version.replace(/^./, (c) => c.toUpperCase())}`;
  const scoped = resource.namespaced ? 'Namespaced' : '';
  const base = `/apis/${resource.group}/${version}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${resource.plural}`;
  const nsParam: Parameter[] = resource.namespaced
    ? [
        {
          name: 'namespace',
          in: 'path',
          type: 'string',
          required: true,
          description: 'object name and auth scope, such as for teams and projects',
        },
      ]
    : [];
  const nameParam: Parameter = {
    name: 'name',
    in: 'path',
    type: 'string',
    required: true,
    description: `name of the ${resource.kind}`,
  };
  const pretty = [query('pretty', 'string', "If 'true', then the output is pretty printed.")];
  const item = (subresource: '' | 'status' | 'scale'): Operation[] => {
    const sub = subresource === 'status' ? 'Status' : subresource === 'scale' ? 'Scale' : '';
    const responseKind = subresource === 'scale' ? scaleName : kindName;
    const gvk = subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : undefined;
    return [
      {
        method: 'get',
        action: 'get',
        operationId: `read${verSuffix}${scoped}${opKind}${sub}`,
        description: `read the specified ${resource.kind}`,
        parameters: pretty,
        response: responseKind,
        gvk,
        responseCodes: ['200'],
      },
      {
        method: 'put',
        action: 'put',
        operationId: `replace${verSuffix}${scoped}${opKind}${sub}`,
        description: `replace the specified ${resource.kind}`,
        parameters: [...pretty, ...writeParams],
        body: { schema: responseKind, mediaTypes: ['application/json', 'application/yaml'] },
        response: responseKind,
        gvk,
        responseCodes: ['200', '201'],
      },
      {
        method: 'patch',
        action: 'patch',
        operationId: `patch${verSuffix}${scoped}${opKind}${sub}`,
        description: `partially update the specified ${resource.kind}`,
        parameters: [
          ...pretty,
          ...writeParams,
          query('force', 'boolean', 'Force is going to "force" Apply requests.'),
        ],
        body: { schema: metaNames.patch, mediaTypes: patchMediaTypes },
        response: responseKind,
        gvk,
        responseCodes: ['200', '201'],
      },
    ];
  };
  const paths: PathSet[] = [
    {
      path: base,
      pathParameters: nsParam,
      operations: [
        {
          method: 'get',
          action: 'list',
          operationId: `list${verSuffix}${scoped}${opKind}`,
          description: `list or watch objects of kind ${resource.kind}`,
          parameters: [...pretty, ...listParams],
          response: listName,
          responseCodes: ['200'],
        },
        {
          method: 'post',
          action: 'post',
          operationId: `create${verSuffix}${scoped}${opKind}`,
          description: `create a ${resource.kind}`,
          parameters: [...pretty, ...writeParams],
          body: { schema: kindName, mediaTypes: ['application/json', 'application/yaml'] },
          response: kindName,
          responseCodes: ['200', '201', '202'],
        },
        {
          method: 'delete',
          action: 'deletecollection',
          operationId: `deletecollection${verSuffix}${scoped}${opKind}`,
          description: `delete collection of ${resource.kind}`,
          parameters: [
            ...pretty,
            ...listParams.slice(0, 5),
            query('dryRun', 'string', 'When present, modifications are not persisted.'),
            query('propagationPolicy', 'string', 'Whether and how garbage collection will be performed.'),
          ],
          body: { schema: metaNames.deleteOptions, mediaTypes: ['application/json'] },
          response: metaNames.status,
          responseCodes: ['200'],
        },
      ],
    },
    {
      path: `${base}/{name}`,
      pathParameters: [nameParam, ...nsParam],
      operations: [
        ...item(''),
        {
          method: 'delete',
          action: 'delete',
          operationId: `delete${verSuffix}${scoped}${opKind}`,
          description: `delete a ${resource.kind}`,
          parameters: [
            ...pretty,
            query('dryRun', 'string', 'When present, modifications are not persisted.'),
            query(
              'gracePeriodSeconds',
              'integer',
              'The duration in seconds before the object should be deleted.',
            ),
            query('propagationPolicy', 'string', 'Whether and how garbage collection will be performed.'),
          ],
          body: { schema: metaNames.deleteOptions, mediaTypes: ['application/json'] },
          response: metaNames.status,
          responseCodes: ['200', '202'],
        },
      ],
    },
  ];
  for (const subresource of ['status', 'scale'] as const) {
    if (!resource.subresources[subresource]) continue;
    paths.push({
      path: `${base}/{name}/${subresource}`,
      pathParameters: [nameParam, ...nsParam],
      operations: item(subresource),
    });
  }
  if (resource.namespaced) {
    paths.push({
      path: `/apis/${resource.group}/${version}/${resource.plural}`,
      pathParameters: [],
      operations: [
        {
          method: 'get',
          action: 'list',
          operationId: `list${verSuffix}${opKind}ForAllNamespaces`,
          description: `list or watch objects of kind ${resource.kind}`,
          parameters: [...pretty, ...listParams],
          response: listName,
          responseCodes: ['200'],
        },
      ],
    });
  }
  return paths;
}

function render(
  resource: ResourceDefinition,
  version: string,
  pathSet: PathSet,
  v3: boolean,
  ref: Ref,
): Document {
  const param = (p: Parameter): Document =>
    v3
      ? {
          name: p.name,
          in: p.in,
          description: p.description,
          ...(p.required ? { required: true } : {}),
          schema: {
            type: p.type,
            ...(p.name === 'name' || p.name === 'namespace' ? { uniqueItems: true } : {}),
          },
        }
      : {
          name: p.name,
          in: p.in,
          description: p.description,
          type: p.type,
          ...(p.required ? { required: true } : {}),
          uniqueItems: true,
        };
  const item: Document = { parameters: pathSet.pathParameters.map(param) };
  for (const op of pathSet.operations) {
    const responseSchema = { $ref: ref(op.response) };
    const responses: Document = { '401': { description: 'Unauthorized' } };
    for (const code of op.responseCodes) {
      responses[code] = v3
        ? {
            description: 'OK',
            content: Object.fromEntries(
              ['application/json', 'application/yaml'].map((t) => [t, { schema: responseSchema }]),
            ),
          }
        : { description: 'OK', schema: responseSchema };
    }
    const body = op.body;
    const operation: Document = {
      tags: [`${resource.group.split('.')[0]}_${version}`],
      description: op.description,
      operationId: op.operationId,
      parameters: [
        ...op.parameters.map(param),
        ...(body && !v3
          ? [
              {
                name: 'body',
                in: 'body',
                required: op.method !== 'delete',
                schema: { $ref: ref(body.schema) },
              },
            ]
          : []),
      ],
      responses,
      'x-kubernetes-action': op.action,
      'x-kubernetes-group-version-kind': op.gvk ?? { group: resource.group, version, kind: resource.kind },
    };
    if (body && v3) {
      operation.requestBody = {
        ...(op.method !== 'delete' ? { required: true } : {}),
        content: Object.fromEntries(body.mediaTypes.map((t) => [t, { schema: { $ref: ref(body.schema) } }])),
      };
    }
    if (!v3) {
      operation.consumes = body ? body.mediaTypes : ['*/*'];
      operation.produces = ['application/json', 'application/yaml'];
      operation.schemes = ['https'];
    }
    item[op.method] = operation;
  }
  return item;
}

function collect(
  resources: readonly ResourceDefinition[],
  v3: boolean,
  ref: Ref,
  only?: { group: string; version: string },
) {
  const paths: Document = {};
  const schemas: Record<string, JSONSchema> = metaSchemas(ref);
  for (const resource of resources) {
    for (const version of resource.versions) {
      if (only && (only.group !== resource.group || only.version !== version.name)) continue;
      Object.assign(schemas, kindSchemas(resource, version.name, version.schema, ref));
      if (resource.subresources.scale) schemas[scaleName] = scaleDefinition(ref);
      for (const pathSet of resourcePaths(resource, version.name))
        paths[pathSet.path] = render(resource, version.name, pathSet, v3, ref);
    }
  }
  return { paths, schemas };
}

/** The Swagger 2.0 document at `/openapi/v2` covering every served group and version. */
export function openApiV2(resources: readonly ResourceDefinition[], serverVersion: string): Document {
  const { paths, schemas } = collect(resources, false, (n) => `#/definitions/${n}`);
  return {
    swagger: '2.0',
    info: { title: 'aggregated-apiserver', version: serverVersion },
    paths,
    definitions: schemas,
  };
}

/** The OpenAPI 3.0 document of one group version, at `/openapi/v3/apis/<group>/<version>`. */
export function openApiV3(
  resources: readonly ResourceDefinition[],
  group: string,
  version: string,
  serverVersion: string,
): Document {
  const { paths, schemas } = collect(resources, true, (n) => `#/components/schemas/${n}`, { group, version });
  return {
    openapi: '3.0.0',
    info: { title: 'aggregated-apiserver', version: serverVersion },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}
