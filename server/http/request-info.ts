/**
 * What a request is about, parsed from its method and path the way kube-apiserver's
 * RequestInfoFactory does, so that authorization, limits, metrics and routing agree.
 */
export interface RequestInfo {
  readonly isResourceRequest: boolean;
  readonly path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; or the lower-case method for non-resource paths. */
  readonly verb: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const nonResource: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
  };
  let parts = path.split('/').filter((p) => p !== '');
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 3) return nonResource;
    apiGroup = parts[1];
    parts = parts.slice(2);
  } else if (parts[0] === 'api') {
    if (parts.length < 2) return nonResource;
    parts = parts.slice(1);
  } else return nonResource;

  const apiVersion = parts[0];
  parts = parts.slice(1);
  // Own keys only: over HTTP/2 the method is any token, `constructor` included.
  let verb = Object.hasOwn(methodVerbs, method) ? methodVerbs[method] : method.toLowerCase();
  // The deprecated /watch/ prefix still works in kube-apiserver, so it works here.
  if (parts[0] === 'watch') {
    verb = 'watch';
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  if (parts.length === 0) return { ...nonResource, apiGroup, apiVersion };
  const [resource, name = '', subresource = ''] = parts;
  if (parts.length > 3) return { ...nonResource, apiGroup, apiVersion };
  if (!name) {
    if (verb === 'get') verb = isWatch(url) ? 'watch' : 'list';
    if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && isWatch(url)) {
    verb = 'watch';
  }
  return {
    isResourceRequest: true,
    path,
    verb,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
  };
}

function isWatch(url: URL): boolean {
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1';
}

/** Watches and other long-running requests escape the request timeout and the in-flight limits' slots. */
export function isLongRunning(info: RequestInfo): boolean {
  return info.verb === 'watch';
}

export function isMutating(info: RequestInfo): boolean {
  return ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(info.verb);
}
