import type { KubeObject } from '../../../api/types.js';
import { copyObject } from '../../registry/object-copy.js';
import type { AdmissionAttributes } from '../admission-plugin.js';
import type { MatchedVersion } from './request-matching.js';

/** The request's objects in the version a webhook or policy matched. */
export interface VersionedObjects {
  readonly object?: KubeObject;
  readonly oldObject?: KubeObject;
}

/** Converts one object of the request's version into `target`, through the storage version. */
export function convertObject(
  attributes: AdmissionAttributes,
  object: KubeObject,
  from: string,
  to: MatchedVersion['version'],
): KubeObject {
  const definition = attributes.definition;
  if (from === to.name) return copyObject(object);
  const source = definition.versions.find((v) => v.name === from);
  if (!source) throw new Error(`${definition.kind}: version ${from} is not served`);
  const converted = to.fromStorage(source.toStorage(copyObject(object)));
  return { ...converted, apiVersion: `${definition.group}/${to.name}`, kind: definition.kind };
}

/** The request's object and old object in the matched version (copies: the caller may keep them). */
export function versionedObjects(attributes: AdmissionAttributes, target: MatchedVersion): VersionedObjects {
  const from = attributes.resource.version;
  return {
    ...(attributes.object
      ? { object: convertObject(attributes, attributes.object, from, target.version) }
      : {}),
    ...(attributes.oldObject
      ? { oldObject: convertObject(attributes, attributes.oldObject, from, target.version) }
      : {}),
  };
}
