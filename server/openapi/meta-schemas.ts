import type { JSONSchema } from '../../api/json-schema.js';

/** Definition names as kube-apiserver publishes them, so clients recognise the shared types. */
export const metaNames = {
  objectMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  listMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  deleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  watchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  ownerReference: 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  managedFieldsEntry: 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
} as const;

const str = (description: string): JSONSchema => ({ type: 'string', description });
const stringMap = (description: string): JSONSchema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

/** The meta/v1 types every published resource refers to, written for a given `$ref` prefix. */
export function metaSchemas(ref: (name: string) => string): Record<string, JSONSchema> {
  const time: JSONSchema = { $ref: ref(metaNames.time) };
  return {
    [metaNames.time]: {
      type: 'string',
      format: 'date-time',
      description: 'Time is a wrapper around time.Time, serialized as RFC 3339.',
    },
    [metaNames.ownerReference]: {
      type: 'object',
      description: 'OwnerReference contains enough information to let you identify an owning object.',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        uid: str('UID of the referent.'),
        controller: {
          type: 'boolean',
          description: 'If true, this reference points to the managing controller.',
        },
        blockOwnerDeletion: {
          type: 'boolean',
          description: 'If true, the owner cannot be deleted from storage until this reference is removed.',
        },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [metaNames.managedFieldsEntry]: {
      type: 'object',
      description:
        'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      properties: {
        apiVersion: str('The API version of the resource the field set applies to.'),
        fieldsType: str('The format of the fields field; only FieldsV1.'),
        fieldsV1: { type: 'object', description: 'The set of fields managed, in FieldsV1 format.' },
        manager: str('The identifier of the workflow managing these fields.'),
        operation: str('The type of operation which lead to this entry: Apply or Update.'),
        subresource: str('The subresource used to update the object.'),
        time: time,
      },
    },
    [metaNames.objectMeta]: {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      properties: {
        annotations: stringMap(
          'Unstructured key value map stored with a resource that may be set by external tools.',
        ),
        creationTimestamp: time,
        deletionGracePeriodSeconds: {
          type: 'integer',
          format: 'int64',
          description: 'Seconds allowed for graceful termination.',
        },
        deletionTimestamp: time,
        finalizers: {
          type: 'array',
          description: 'Must be empty before the object is deleted from the registry.',
          items: { type: 'string' },
          'x-kubernetes-list-type': 'set',
          'x-kubernetes-patch-strategy': 'merge',
        },
        generateName: str('An optional prefix, used by the server, to generate a unique name.'),
        generation: {
          type: 'integer',
          format: 'int64',
          description: 'A sequence number representing a specific generation of the desired state.',
        },
        labels: stringMap(
          'Map of string keys and values that can be used to organize and categorize objects.',
        ),
        managedFields: {
          type: 'array',
          description: 'Maps workflow-id and version to the set of fields that are managed by that workflow.',
          items: { $ref: ref(metaNames.managedFieldsEntry) },
          'x-kubernetes-list-type': 'atomic',
        },
        name: str('Name must be unique within a namespace.'),
        namespace: str('Namespace defines the space within which each name must be unique.'),
        ownerReferences: {
          type: 'array',
          description: 'List of objects depended by this object.',
          items: { $ref: ref(metaNames.ownerReference) },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['uid'],
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'uid',
        },
        resourceVersion: str('An opaque value that represents the internal version of this object.'),
        selfLink: str(
          'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.',
        ),
        uid: str('UID is the unique in time and space value for this object.'),
      },
    },
    [metaNames.listMeta]: {
      type: 'object',
      description: 'ListMeta describes metadata that synthetic resources must have, including lists.',
      properties: {
        continue: str('Set if the user should query with a limited number of results.'),
        remainingItemCount: {
          type: 'integer',
          format: 'int64',
          description: 'The number of subsequent items in the list.',
        },
        resourceVersion: str('The server internal version of this object.'),
        selfLink: str('Deprecated.'),
      },
    },
    [metaNames.status]: {
      type: 'object',
      description: 'Status is a return value for calls that do not return other objects.',
      properties: {
        apiVersion: str('APIVersion of this representation.'),
        kind: str('Kind of this representation.'),
        code: {
          type: 'integer',
          format: 'int32',
          description: 'Suggested HTTP return code for this status.',
        },
        details: {
          type: 'object',
          description: 'Extended data associated with the reason.',
          'x-kubernetes-preserve-unknown-fields': true,
        },
        message: str('A human-readable description of the status of this operation.'),
        metadata: { $ref: ref(metaNames.listMeta) },
        reason: str('A machine-readable description of why this operation is in the Failure status.'),
        status: str('Status of the operation: Success or Failure.'),
      },
    },
    [metaNames.deleteOptions]: {
      type: 'object',
      description: 'DeleteOptions may be provided when deleting an API object.',
      properties: {
        apiVersion: str('APIVersion of this representation.'),
        kind: str('Kind of this representation.'),
        dryRun: {
          type: 'array',
          items: { type: 'string' },
          description: 'When present, modifications are not persisted.',
        },
        gracePeriodSeconds: {
          type: 'integer',
          format: 'int64',
          description: 'The duration in seconds before the object should be deleted.',
        },
        orphanDependents: { type: 'boolean', description: 'Deprecated: use propagationPolicy.' },
        preconditions: {
          type: 'object',
          description: 'Must be fulfilled before a deletion is carried out.',
          properties: {
            resourceVersion: str('Specifies the target ResourceVersion'),
            uid: str('Specifies the target UID.'),
          },
        },
        propagationPolicy: str(
          'Whether and how garbage collection will be performed: Orphan, Background or Foreground.',
        ),
      },
    },
    [metaNames.rawExtension]: {
      type: 'object',
      description: 'RawExtension is used to hold extensions in external versions.',
    },
    [metaNames.watchEvent]: {
      type: 'object',
      description: 'Event represents a single event to a watched resource.',
      required: ['type', 'object'],
      properties: {
        object: { $ref: ref(metaNames.rawExtension) },
        type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      },
    },
    [metaNames.patch]: {
      type: 'object',
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    },
  };
}
