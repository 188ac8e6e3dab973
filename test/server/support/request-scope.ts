import type { ResourceVersion } from '../../../api/resource-definition.js';
import type { RequestScope } from '../../../server/registry/request-scope.js';

/** A request in the default namespace by a plain user, as the REST handler would describe it. */
export function requestScope(version: ResourceVersion, warnings: string[] = []): RequestScope {
  return {
    namespace: 'default',
    version,
    user: { name: 'tester', groups: [] },
    dryRun: false,
    fieldManager: 'test',
    fieldValidation: 'Strict',
    warnings,
  };
}
