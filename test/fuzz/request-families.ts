import type { Random } from './random.js';

/** One request as the fuzzer sends it. */
export interface FuzzRequest {
  /** The family it belongs to, for the report. */
  readonly family: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** A watch: read for a while (or not at all) and then hang up. */
  readonly watch?: { readonly readMs: number; readonly stall: boolean };
  /** Whether HTTP/1.1 clients cannot send it (a method Node's client refuses, say). */
  readonly http2Only?: boolean;
}

export const GROUP_VERSION = '/apis/metrics.example.com/v1';
export const NAMESPACE = 'fuzz';
export const COLLECTION = `${GROUP_VERSION}/namespaces/${NAMESPACE}/metricsnapshots`;
/** Objects the fuzzer keeps (re)creating, so that reads, patches and watches have targets. */
export const SEED_NAMES = ['seed-a', 'seed-b', 'seed-c', 'seed-d'];

const JSON_TYPE = { 'Content-Type': 'application/json' };

export function seedObject(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'metrics.example.com/v1',
    kind: 'MetricSnapshot',
    metadata: { name, namespace: NAMESPACE },
    spec: { source: 'prometheus', metrics: ['cpu_usage', 'memory_usage'], interval: '1m' },
    ...extra,
  };
}

/** `{"a":{"a":...}}` or `[[...]]`, `levels` deep, as text (a value that deep cannot be stringified). */
function nestedText(random: Random, levels: number): string {
  if (random.chance(0.5)) return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  return '['.repeat(levels) + ']'.repeat(levels);
}

function patchType(random: Random): string {
  return random.pick([
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ]);
}

function target(random: Random): string {
  return `${COLLECTION}/${random.pick(SEED_NAMES)}`;
}

type Family = (random: Random) => FuzzRequest;

/** The families of issue 10: each makes one request a hostile or careless client would send. */
export const FAMILIES: Readonly<Record<string, Family>> = {
  warnings(random) {
    const spec: Record<string, unknown> = { source: 's', metrics: ['up'] };
    const count = random.chance(0.1) ? random.int(1000, 12_000) : random.int(1, 20);
    for (let i = 0; i < count; i++) spec[`${random.hostileKey()}${i}`] = random.int(0, 9);
    const name = `w-${random.int(0, 1_000_000)}`;
    return {
      family: 'warnings',
      method: 'POST',
      path: `${COLLECTION}?fieldValidation=${random.pick(['Warn', 'Strict', 'Ignore', 'Warn'])}`,
      headers: JSON_TYPE,
      body: JSON.stringify({ ...seedObject(name), spec }),
    };
  },

  statusKeys(random) {
    const data: Record<string, number> = {};
    for (let i = 0; i < random.int(1, 30); i++) data[random.hostileKey()] = random.int(0, 100);
    return {
      family: 'statusKeys',
      method: 'PATCH',
      path: `${target(random)}/status`,
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { data } }),
    };
  },

  prototypeSelectors(random) {
    const key = random.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'metadata.name']);
    const value = random.pick(['x', '[object Object]', 'function Object() { [native code] }', '']);
    const selector = encodeURIComponent(`${key}${random.pick(['=', '==', '!='])}${value}`);
    const label = encodeURIComponent(`${random.hostileKey()}${random.pick(['=', ' in (a,b)', '', '!='])}x`);
    const which = random.pick(['fieldSelector', 'labelSelector']);
    const query = `${which}=${which === 'fieldSelector' ? selector : label}`;
    // Never deletecollection with a selector: a selector that wrongly matches would only empty the
    // namespace, which the seed loop repairs, but it would hide the other families' targets.
    return {
      family: 'prototypeSelectors',
      method: 'GET',
      path: `${COLLECTION}?${query}${random.chance(0.3) ? '&watch=true&timeoutSeconds=1' : ''}`,
      headers: {},
      watch: { readMs: 200, stall: false },
    };
  },

  prototypeNames(random) {
    const name = encodeURIComponent(random.hostileKey());
    return {
      family: 'prototypeNames',
      method: random.pick(['GET', 'DELETE', 'PUT', 'PATCH']),
      path: `${COLLECTION}/${name}`,
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: '{"metadata":{"labels":{"a":"b"}}}',
    };
  },

  wrongTypes(random) {
    const metadata = random.pick<Record<string, unknown>>([
      { name: 123 },
      { name: 12.5 },
      { name: true },
      { name: ['a'] },
      { name: { a: 1 } },
      { generateName: 123 },
      { generateName: null, name: null },
      { name: 'x', labels: 'notamap' },
      { name: 'x', labels: { a: 1 } },
      { name: 'x', annotations: [1, 2] },
      { name: 'x', finalizers: 'x' },
      { name: 'x', ownerReferences: 'x' },
      { name: 'x', managedFields: 'x' },
      { name: 'x', managedFields: [{ manager: 1, operation: 'Bogus' }] },
      { name: 'x', resourceVersion: 5 },
      { name: 'x', uid: {} },
    ]);
    return {
      family: 'wrongTypes',
      method: 'POST',
      path: COLLECTION,
      headers: JSON_TYPE,
      body: JSON.stringify({ ...seedObject('x'), metadata: { namespace: NAMESPACE, ...metadata } }),
    };
  },

  continueTokens(random) {
    const token = random.pick([
      Buffer.from(random.pick(['null', '[]', '"x"', '42', '{}', '{"v":"meta.k8s.io/v1"}'])).toString(
        'base64url',
      ),
      Buffer.from('{"v":"meta.k8s.io/v1","rv":"1","start":"/etc/passwd"}').toString('base64url'),
      random.garbage(random.int(1, 40)).toString('base64'),
      random.chars('!@#$%^&*()', 5),
    ]);
    return {
      family: 'continueTokens',
      method: 'GET',
      path: `${COLLECTION}?limit=${random.int(-1, 3)}&continue=${encodeURIComponent(token)}`,
      headers: {},
    };
  },

  resourceVersions(random) {
    const rv = random.pick(['0', '1', '2', '-1', 'abc', '99999999', '18446744073709551616', '1e3', '']);
    const match = random.pick([
      '',
      '&resourceVersionMatch=Exact',
      '&resourceVersionMatch=NotOlderThan',
      '&resourceVersionMatch=Bogus',
    ]);
    const watch = random.chance(0.3);
    return {
      family: 'resourceVersions',
      method: 'GET',
      path: `${COLLECTION}?resourceVersion=${rv}${match}${watch ? '&watch=true&timeoutSeconds=1' : ''}`,
      headers: {},
      watch: { readMs: 300, stall: false },
    };
  },

  deepNesting(random) {
    const levels = random.pick([250, 301, 2000, 6000, 20_000]);
    const kind = random.pick(['create', 'merge', 'strategic', 'json', 'apply', 'yaml']);
    const deep = nestedText(random, levels);
    const object = `{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"deep"},"spec":${deep}}`;
    switch (kind) {
      case 'create':
        return { family: 'deepNesting', method: 'POST', path: COLLECTION, headers: JSON_TYPE, body: object };
      case 'yaml':
        return {
          family: 'deepNesting',
          method: 'POST',
          path: COLLECTION,
          headers: { 'Content-Type': 'application/yaml' },
          body: `metadata:\n  name: deep\nspec: ${'['.repeat(levels)}${']'.repeat(levels)}\n`,
        };
      case 'json':
        return {
          family: 'deepNesting',
          method: 'PATCH',
          path: `${target(random)}?dryRun=All`,
          headers: { 'Content-Type': 'application/json-patch+json' },
          body: `[{"op":"add","path":"/spec/x","value":${deep}}]`,
        };
      case 'apply':
        return {
          family: 'deepNesting',
          method: 'PATCH',
          path: `${target(random)}?fieldManager=fuzz&dryRun=All`,
          headers: { 'Content-Type': 'application/apply-patch+yaml' },
          body: object.replace('"deep"', `"${target(random).split('/').pop()}"`),
        };
      default:
        return {
          family: 'deepNesting',
          method: 'PATCH',
          path: `${target(random)}?dryRun=All`,
          headers: {
            'Content-Type': `application/${kind === 'merge' ? 'merge' : 'strategic-merge'}-patch+json`,
          },
          body: `{"spec":${deep}}`,
        };
    }
  },

  jsonPatchBombs(random) {
    const operations: unknown[] = [];
    const count = random.pick([5, 24, 40, 10_001]);
    for (let i = 0; i < count; i++) {
      operations.push(
        random.chance(0.8)
          ? { op: 'copy', from: random.pick(['/spec', '/metadata', '']), path: `/spec/c${i}` }
          : {
              op: random.pick(['add', 'test', 'move', 'remove', 'bogus']),
              path: `/spec/${random.hostileKey()}`,
              value: i,
            },
      );
    }
    return {
      family: 'jsonPatchBombs',
      method: 'PATCH',
      path: `${target(random)}?dryRun=All`,
      headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify(operations),
    };
  },

  bigLists(random) {
    const items = random.pick([1000, 40_000, 200_000]);
    const yaml = random.chance(0.5);
    if (yaml) {
      const body = `apiVersion: metrics.example.com/v1\nkind: MetricSnapshot\nmetadata:\n  name: big\nspec:\n  source: s\n  metrics:\n${'  - a\n'.repeat(items)}`;
      return {
        family: 'bigLists',
        method: 'POST',
        path: COLLECTION,
        headers: { 'Content-Type': 'application/yaml' },
        body,
      };
    }
    const labels: Record<string, string> = {};
    for (let i = 0; i < Math.min(items, 120_000); i++) labels[`k${i}`] = 'v';
    const patch = random.chance(0.5);
    return {
      family: 'bigLists',
      method: patch ? 'PATCH' : 'POST',
      path: patch ? `${target(random)}?dryRun=All` : COLLECTION,
      headers: patch
        ? {
            'Content-Type': random.pick([
              'application/merge-patch+json',
              'application/strategic-merge-patch+json',
            ]),
          }
        : JSON_TYPE,
      body: JSON.stringify(
        patch ? { metadata: { labels } } : { ...seedObject('big'), metadata: { name: 'big', labels } },
      ),
    };
  },

  malformedBodies(random) {
    const bodies: (string | Buffer)[] = [
      '{"apiVersion":',
      '',
      'null',
      '[]',
      '42',
      '"string"',
      '{"metadata":null}',
      '{"metadata":[]}',
      random.garbage(random.int(1, 2000)),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
      `{"a":"${'\\ud800'.repeat(10)}"}`,
      'a: [b\n  c: }',
      '--- !!python/object:os.system\nx: 1',
      `a: &a [${'*a,'.repeat(50)}]`,
    ];
    return {
      family: 'malformedBodies',
      method: random.pick(['POST', 'PUT', 'PATCH', 'DELETE']),
      path: random.pick([COLLECTION, target(random)]),
      headers: {
        'Content-Type': random.pick([
          'application/json',
          'application/yaml',
          patchType(random),
          'text/plain',
          'application/json; charset=utf-16',
          '',
        ]),
      },
      body: random.pick(bodies),
    };
  },

  methodsAndPaths(random) {
    const path = random.pick([
      '/version',
      '/version/',
      '/metrics',
      '/openapi/v2',
      '/openapi/v3',
      '/openapi/v3/apis/metrics.example.com/v1',
      '/readyz',
      '/livez',
      '/healthz/ping',
      '/apis',
      '/api',
      GROUP_VERSION,
      COLLECTION,
      `${COLLECTION}/${random.pick(SEED_NAMES)}/status`,
      `/apis/metrics.example.com/v1/metricsnapshots`,
      `/apis/${random.hostileKey()}/v1/x`,
      `/${random.chars('abc/%.', random.int(1, 30))}`,
    ]);
    const http2Only = random.chance(0.2);
    return {
      family: 'methodsAndPaths',
      method: http2Only
        ? random.pick(['constructor', 'toString', '__proto__', 'FROBNICATE'])
        : random.pick(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
      path,
      headers: JSON_TYPE,
      body: random.chance(0.5) ? '{}' : undefined,
      http2Only,
    };
  },

  headers(random) {
    return {
      family: 'headers',
      method: 'GET',
      path: random.pick([COLLECTION, target(random), '/apis']),
      headers: {
        Accept: random.pick([
          'constructor',
          '__proto__',
          'application/json;as=Table;v=v1;g=meta.k8s.io;__proto__=x',
          'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1',
          'application/vnd.kubernetes.protobuf',
          'application/yaml',
          '*/*;q=0',
          random.chars(';=,/ax', 30),
        ]),
        ...(random.chance(0.3) ? { Authorization: `Bearer ${random.chars('abc.', 20)}` } : {}),
        ...(random.chance(0.2)
          ? { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' }
          : {}),
      },
    };
  },

  stalledWatchers(random) {
    return {
      family: 'stalledWatchers',
      method: 'GET',
      path: `${COLLECTION}?watch=true${random.chance(0.5) ? '&allowWatchBookmarks=true' : ''}`,
      headers: random.chance(0.3)
        ? { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }
        : { Accept: '*/*' },
      watch: { readMs: random.int(200, 3000), stall: random.chance(0.7) },
    };
  },

  largeUpdates(random) {
    // Legal, large writes: what fills histories and watch queues.
    const big = random.chars('abcdefghij', random.int(10_000, 200_000));
    return {
      family: 'largeUpdates',
      method: 'PATCH',
      path: target(random),
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { annotations: { big } } }),
    };
  },

  deletes(random) {
    const options = random.pick([
      '{"kind":"DeleteOptions","propagationPolicy":"Foreground"}',
      '{"kind":"DeleteOptions","propagationPolicy":"Orphan"}',
      '{"kind":"DeleteOptions","gracePeriodSeconds":-5}',
      '{"kind":"DeleteOptions","preconditions":{"uid":"nope"}}',
      '{"kind":"Pod"}',
      '{"dryRun":"All"}',
      '',
    ]);
    return {
      family: 'deletes',
      method: 'DELETE',
      path: `${target(random)}${random.chance(0.5) ? '?dryRun=All' : ''}`,
      headers: options ? JSON_TYPE : {},
      body: options || undefined,
    };
  },
};

/**
 * How often each family is drawn, relative to the others: the expensive ones (megabytes of
 * body) less often, so that a run sends thousands of requests in a few minutes.
 */
export const FAMILY_WEIGHTS: ReadonlyMap<string, number> = new Map(
  Object.keys(FAMILIES).map((name) => [name, ['bigLists', 'largeUpdates'].includes(name) ? 1 : 4]),
);
