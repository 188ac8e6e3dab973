import { listOf, mapOf, optionalOf, type CelTy } from './cel-type.js';

/**
 * Every function the checker accepts, with its signature and its cost, mirroring the
 * declarations of cel-go's standard library, its strings extension and the Kubernetes
 * libraries that CustomResourceDefinitions get (k8s.io/apiserver/pkg/cel/library).
 *
 * Supported: the standard operators, conversions, size, contains/startsWith/endsWith/matches,
 * timestamp and duration accessors (with and without a time zone); the strings extension
 * (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join,
 * strings.quote, format); the sets extension (sets.contains, sets.equivalent, sets.intersects);
 * the Kubernetes lists library (isSorted, sum, min, max, indexOf, lastIndexOf); the Kubernetes
 * regex library (find, findAll); the Kubernetes url library (url, isURL, getScheme, getHost,
 * getHostname, getPort, getEscapedPath, getQuery); the Kubernetes quantity library (quantity,
 * isQuantity, sign, isGreaterThan, isLessThan, compareTo, asApproximateFloat, asInteger,
 * isInteger, add, sub); the Kubernetes ip library (ip, isIP, ip.isCanonical, family,
 * isUnspecified, isLoopback, isLinkLocalMulticast, isLinkLocalUnicast, isGlobalUnicast,
 * string) and cidr library (cidr, isCIDR, containsIP, containsCIDR, ip, prefixLength, masked,
 * string); the Kubernetes format library (format.dns1123Label() and the other named formats,
 * format.named, validate); values of these libraries compare with `==`; optional values (optional.of,
 * optional.none, optional.ofNonZeroValue, hasValue, value, orValue, or) for `optionalOldSelf`;
 * the cel.bind macro. Not supported (they do not compile): the `.?`/`[?]` optional syntax,
 * and the semver and authz libraries.
 */
export interface Overload {
  readonly name: string;
  /** The receiver of a method call (`x.f()`); absent for a global function. */
  readonly receiver?: CelTy;
  readonly args: readonly CelTy[];
  readonly result: CelTy;
  /** Estimated cost of the call itself from the largest sizes of its receiver and arguments. */
  readonly cost?: (receiverSize: number, argSizes: readonly number[]) => number;
  /** Cost charged at run time from the actual sizes, when kube charges otherwise than it estimates. */
  readonly runtimeCost?: (receiverSize: number, argSizes: readonly number[]) => number;
  /** Largest size of the result, when the call's result is sized. */
  readonly resultSize?: (receiverSize: number, argSizes: readonly number[]) => number;
}

/** cel-go's cost factors (common/cost.go). */
export const stringTraversalCostFactor = 0.1;
export const regexStringLengthCostFactor = 0.25;

/** The formats of the Kubernetes format library (format-library.ts implements them). */
const namedFormatNames = [
  'dns1123Label',
  'dns1123Subdomain',
  'dns1035Label',
  'qualifiedName',
  'dns1123LabelPrefix',
  'dns1123SubdomainPrefix',
  'dns1035LabelPrefix',
  'labelValue',
  'uri',
  'uuid',
  'byte',
  'date',
  'datetime',
];

const traverse = (size: number): number => Math.ceil(size * stringTraversalCostFactor);

const A: CelTy = { kind: 'param', name: 'A' };
const B: CelTy = { kind: 'param', name: 'B' };

function parseType(text: string): CelTy {
  const t = text.trim();
  if (t === 'A') return A;
  if (t === 'B') return B;
  const generic = /^(list|map|opt)<(.*)>$/.exec(t);
  if (generic) {
    const inner = splitTopLevel(generic[2]).map(parseType);
    if (generic[1] === 'list') return listOf(inner[0]);
    if (generic[1] === 'opt') return optionalOf(inner[0]);
    return mapOf(inner[0], inner[1]);
  }
  return { kind: t as 'int' };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '<') depth++;
    if (c === '>') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim()) parts.push(current);
  return parts;
}

type Cost = Overload['cost'];
type Size = Overload['resultSize'];

/** `name(args):result` or `receiver.name(args):result`, e.g. `string.split(string):list<string>`. */
function decl(signature: string, cost?: Cost, resultSize?: Size): Overload {
  const match = /^(?:(.+)\.)?([^.(]+)\((.*)\):(.+)$/.exec(signature);
  if (!match) throw new Error(`bad signature ${signature}`);
  const [, receiver, name, args, result] = match;
  return {
    name: name === 'quote' && receiver === 'strings' ? 'strings.quote' : name,
    receiver: receiver && receiver !== 'strings' && receiver !== 'optional' ? parseType(receiver) : undefined,
    args: splitTopLevel(args).map(parseType),
    result: parseType(result),
    cost,
    resultSize,
  };
}

function qualified(name: string, signature: string, cost?: Cost): Overload {
  return { ...decl(signature, cost), name };
}

/** cel-go's sets extension cost: the product of the list sizes times a factor, plus the call. */
const setsCost =
  (factor: number): Cost =>
  (_r, [a, b]) =>
    Math.ceil(a * b * factor) + 1;

const numeric = ['int', 'uint', 'double'];
const ordered = ['bool', 'int', 'uint', 'double', 'string', 'bytes', 'timestamp', 'duration'];
const mixedNumeric = [
  ['int', 'double'],
  ['double', 'int'],
  ['int', 'uint'],
  ['uint', 'int'],
  ['uint', 'double'],
  ['double', 'uint'],
];

const compareCost: Cost = (_r, [a, b]) => Math.max(1, traverse(Math.min(a, b)));

function buildOverloads(): Overload[] {
  const all: Overload[] = [];
  const add = (...overloads: Overload[]) => all.push(...overloads);
  for (const t of numeric) add(decl(`_+_(${t},${t}):${t}`), decl(`_-_(${t},${t}):${t}`));
  for (const t of numeric) add(decl(`_*_(${t},${t}):${t}`), decl(`_/_(${t},${t}):${t}`));
  add(decl('_%_(int,int):int'), decl('_%_(uint,uint):uint'), decl('-_(int):int'), decl('-_(double):double'));
  const concatSize: Size = (_r, [a, b]) => a + b;
  add(
    decl('_+_(string,string):string', (_r, [a, b]) => traverse(a + b), concatSize),
    decl('_+_(bytes,bytes):bytes', (_r, [a, b]) => traverse(a + b), concatSize),
    decl('_+_(list<A>,list<A>):list<A>', () => 1, concatSize),
    decl('_+_(duration,duration):duration'),
    decl('_+_(timestamp,duration):timestamp'),
    decl('_+_(duration,timestamp):timestamp'),
    decl('_-_(timestamp,timestamp):duration'),
    decl('_-_(duration,duration):duration'),
    decl('_-_(timestamp,duration):timestamp'),
    decl('!_(bool):bool'),
    decl('_==_(A,A):bool', compareCost),
    decl('_!=_(A,A):bool', compareCost),
    decl('@in(A,list<A>):bool', (_r, [, list]) => list),
    decl('@in(A,map<A,B>):bool'),
    decl('@not_strictly_false(bool):bool', () => 0),
  );
  for (const op of ['_<_', '_<=_', '_>_', '_>=_']) {
    for (const t of ordered) add(decl(`${op}(${t},${t}):bool`, compareCost));
    for (const [a, b] of mixedNumeric) add(decl(`${op}(${a},${b}):bool`));
  }
  for (const t of ['string', 'bytes', 'list<A>', 'map<A,B>'])
    add(decl(`size(${t}):int`), decl(`${t}.size():int`));
  // Conversions.
  for (const t of ['int', 'uint', 'double', 'string', 'timestamp']) add(decl(`int(${t}):int`));
  for (const t of ['int', 'uint', 'double', 'string']) add(decl(`uint(${t}):uint`));
  for (const t of ['int', 'uint', 'double', 'string']) add(decl(`double(${t}):double`));
  for (const t of ['int', 'uint', 'double', 'string', 'bytes', 'bool', 'timestamp', 'duration'])
    add(
      decl(
        `string(${t}):string`,
        (_r, [a]) => traverse(a),
        (_r, [a]) => a,
      ),
    );
  add(
    decl(
      'bytes(string):bytes',
      (_r, [a]) => traverse(a),
      (_r, [a]) => a * 4,
    ),
    decl('bytes(bytes):bytes'),
    decl('bool(bool):bool'),
    decl('bool(string):bool'),
    decl('timestamp(string):timestamp', (_r, [a]) => traverse(a)),
    decl('timestamp(timestamp):timestamp'),
    decl('timestamp(int):timestamp'),
    decl('duration(string):duration', (_r, [a]) => traverse(a)),
    decl('duration(duration):duration'),
    decl('dyn(A):dyn'),
    decl('type(A):type'),
  );
  // Strings.
  const onTarget: Cost = (r) => traverse(r);
  const onTargetAndArg: Cost = (r, [a]) => traverse(r) + traverse(a ?? 0);
  const targetSize: Size = (r) => r;
  add(
    decl('string.contains(string):bool', (r, [a]) => Math.max(1, traverse(r) * traverse(a))),
    decl('string.startsWith(string):bool', (_r, [a]) => traverse(a)),
    decl('string.endsWith(string):bool', (_r, [a]) => traverse(a)),
    decl(
      'string.matches(string):bool',
      (r, [a]) => traverse(r + 1) * Math.ceil(a * regexStringLengthCostFactor),
    ),
    decl(
      'matches(string,string):bool',
      (_r, [s, a]) => traverse(s + 1) * Math.ceil(a * regexStringLengthCostFactor),
    ),
    decl('string.charAt(int):string', onTarget, () => 1),
    decl('string.indexOf(string):int', onTargetAndArg),
    decl('string.indexOf(string,int):int', onTargetAndArg),
    decl('string.lastIndexOf(string):int', onTargetAndArg),
    decl('string.lastIndexOf(string,int):int', onTargetAndArg),
    decl('string.lowerAscii():string', onTarget, targetSize),
    decl('string.upperAscii():string', onTarget, targetSize),
    decl('string.trim():string', onTarget, targetSize),
    decl('string.replace(string,string):string', onTargetAndArg, (r, [, b]) => r * Math.max(1, b)),
    decl('string.replace(string,string,int):string', onTargetAndArg, (r, [, b]) => r * Math.max(1, b)),
    decl('string.split(string):list<string>', onTargetAndArg, targetSize),
    decl('string.split(string,int):list<string>', onTargetAndArg, targetSize),
    decl('string.substring(int):string', onTarget, targetSize),
    decl('string.substring(int,int):string', onTarget, targetSize),
    decl('list<string>.join():string', onTarget),
    decl('list<string>.join(string):string', onTarget),
    decl(
      'strings.quote(string):string',
      (_r, [a]) => traverse(a),
      (_r, [a]) => a * 2 + 2,
    ),
    decl('string.format(list<dyn>):string', onTarget),
  );
  // Timestamps and durations.
  for (const f of ['getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getFullYear', 'getMonth'])
    add(decl(`timestamp.${f}():int`), decl(`timestamp.${f}(string):int`));
  for (const f of ['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'])
    add(decl(`timestamp.${f}():int`), decl(`timestamp.${f}(string):int`), decl(`duration.${f}():int`));
  // Kubernetes lists library (k8s.io/apiserver/pkg/cel/library/lists.go).
  const overList: Cost = (r) => Math.max(1, r);
  add(decl('list<A>.isSorted():bool', overList));
  for (const t of ['int', 'double']) add(decl(`list<${t}>.sum():${t}`, overList));
  for (const t of ordered)
    add(decl(`list<${t}>.min():${t}`, overList), decl(`list<${t}>.max():${t}`, overList));
  add(decl('list<A>.indexOf(A):int', overList), decl('list<A>.lastIndexOf(A):int', overList));
  // Kubernetes regex library (k8s.io/apiserver/pkg/cel/library/regex.go).
  const regexCost: Cost = (r, [a]) => traverse(r + 1) * Math.ceil(a * regexStringLengthCostFactor);
  add(
    decl('string.find(string):string', regexCost, targetSize),
    decl('string.findAll(string):list<string>', regexCost, targetSize),
    decl('string.findAll(string,int):list<string>', regexCost, targetSize),
  );
  // cel-go's sets extension (ext/sets.go).
  add(
    qualified('sets.contains', 'contains(list<A>,list<A>):bool', setsCost(1)),
    qualified('sets.equivalent', 'equivalent(list<A>,list<A>):bool', setsCost(2)),
    qualified('sets.intersects', 'intersects(list<A>,list<A>):bool', setsCost(1)),
  );
  // Kubernetes url library (urls.go); costs from library/cost.go (accessors are nominal).
  const URL = 'kubernetes.URL';
  add(
    decl(`url(string):${URL}`, (_r, [a]) => traverse(a)),
    decl('isURL(string):bool'),
  );
  for (const f of ['getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath'])
    add(decl(`${URL}.${f}():string`));
  add(decl(`${URL}.getQuery():map<string,list<string>>`));
  // Kubernetes quantity library (quantity.go); parsing costs a traversal of the string.
  const Q = 'kubernetes.Quantity';
  const parseCost: Cost = (_r, [a]) => traverse(a);
  add(
    decl(`quantity(string):${Q}`, parseCost),
    decl('isQuantity(string):bool', parseCost),
    decl(`sign(${Q}):int`),
    decl(`${Q}.isGreaterThan(${Q}):bool`),
    decl(`${Q}.isLessThan(${Q}):bool`),
    decl(`${Q}.compareTo(${Q}):int`),
    decl(`${Q}.asApproximateFloat():double`),
    decl(`${Q}.asInteger():int`),
    decl(`${Q}.isInteger():bool`),
    decl(`${Q}.add(${Q}):${Q}`),
    decl(`${Q}.add(int):${Q}`),
    decl(`${Q}.sub(${Q}):${Q}`),
    decl(`${Q}.sub(int):${Q}`),
  );
  // Kubernetes ip and cidr libraries (ip.go, cidr.go). Containment is estimated for 16-byte
  // addresses but charged by the actual (nominal) sizes of the values at run time.
  const IP = 'net.IP';
  const CIDR = 'net.CIDR';
  const ipCompare = Math.ceil(32 * stringTraversalCostFactor);
  add(
    decl(`ip(string):${IP}`, parseCost),
    decl('isIP(string):bool', parseCost),
    qualified('ip.isCanonical', 'isCanonical(string):bool', (_r, [a]) =>
      Math.ceil(a * 2 * stringTraversalCostFactor),
    ),
    decl(`${IP}.family():int`),
    decl(`${IP}.isUnspecified():bool`),
    decl(`${IP}.isLoopback():bool`),
    decl(`${IP}.isLinkLocalMulticast():bool`),
    decl(`${IP}.isLinkLocalUnicast():bool`),
    decl(`${IP}.isGlobalUnicast():bool`),
    decl(`string(${IP}):string`),
    decl(`cidr(string):${CIDR}`, parseCost),
    decl('isCIDR(string):bool', parseCost),
    {
      ...decl(`${CIDR}.containsIP(string):bool`, (_r, [a]) => ipCompare + traverse(a)),
      runtimeCost: (_r, [a]) => 1 + traverse(a),
    },
    { ...decl(`${CIDR}.containsIP(${IP}):bool`, () => ipCompare), runtimeCost: () => 1 },
    {
      ...decl(`${CIDR}.containsCIDR(string):bool`, (_r, [a]) => ipCompare + 2 + 1 + traverse(a)),
      runtimeCost: (_r, [a]) => 3 + traverse(a),
    },
    { ...decl(`${CIDR}.containsCIDR(${CIDR}):bool`, () => ipCompare + 2 + 1), runtimeCost: () => 3 },
    decl(`${CIDR}.ip():${IP}`),
    decl(`${CIDR}.prefixLength():int`),
    decl(`${CIDR}.masked():${CIDR}`),
    decl(`string(${CIDR}):string`),
  );
  // Kubernetes format library (format.go). validate() is estimated as a match of a 128-character
  // pattern over the string; at run time it charges for its format's own pattern size.
  const FORMAT = 'kubernetes.NamedFormat';
  // kube estimates comparing two formats as traversing 64 characters (cel.MaxFormatSize).
  for (const name of namedFormatNames)
    add({ ...qualified(`format.${name}`, `${name}():${FORMAT}`), resultSize: () => 64 });
  add(qualified('format.named', `named(string):opt<${FORMAT}>`), {
    ...decl(`${FORMAT}.validate(string):opt<list<string>>`, (_r, [a]) =>
      Math.ceil(traverse(a) * 128 * regexStringLengthCostFactor),
    ),
    runtimeCost: () => 0,
  });
  // Optional values, for optionalOldSelf.
  add(
    qualified('optional.of', 'of(A):opt<A>'),
    qualified('optional.ofNonZeroValue', 'ofNonZeroValue(A):opt<A>'),
    qualified('optional.none', 'none():opt<dyn>'),
    decl('opt<A>.hasValue():bool'),
    decl('opt<A>.value():A'),
    decl('opt<A>.orValue(A):A'),
    decl('opt<A>.or(opt<A>):opt<A>'),
  );
  return all;
}

/** The overloads by function name. */
export const overloads: ReadonlyMap<string, readonly Overload[]> = (() => {
  const byName = new Map<string, Overload[]>();
  for (const overload of buildOverloads()) {
    const list = byName.get(overload.name) ?? [];
    list.push(overload);
    byName.set(overload.name, list);
  }
  return byName;
})();
