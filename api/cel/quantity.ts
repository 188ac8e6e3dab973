/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource) as the quantity CEL
 * library sees them. kube keeps a quantity either as an int64 with a decimal scale (the fast
 * path, for what fits) or as an arbitrary-precision decimal, and some answers depend on which:
 * AsInt64 (behind isInteger and asInteger) answers only for the int64 form at a scale >= 0, so
 * `quantity('1000m').isInteger()` is false and so is any quantity that took the decimal path.
 * Both forms are modelled here with bigints; amounts are exact.
 */
export type Quantity =
  /** value × 10^scale, value within int64. */
  | { readonly form: 'int64'; readonly value: bigint; readonly scale: number }
  /** unscaled × 10^-scale (inf.Dec's convention). */
  | { readonly form: 'decimal'; readonly unscaled: bigint; readonly scale: number };

const formatWrong =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const suffixWrong = "unable to parse quantity's suffix";

const decimalSuffixes = new Map([
  ['', 0],
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const binarySuffixes = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);

/**
 * Decimal exponents beyond this are refused: kube keeps `1e999999999` as a scaled number, but
 * the exact amount of it, which comparisons here work on, would stall the server.
 */
export const maxQuantityExponent = 1000;

const maxInt64 = 9223372036854775807n;
const minInt64 = -9223372036854775808n;
const inInt64 = (n: bigint): boolean => n >= minInt64 && n <= maxInt64;
const pow10 = (n: number): bigint => 10n ** BigInt(n);

interface Parts {
  readonly negative: boolean;
  /** The text before the suffix (sign, digits, point), which the decimal path parses. */
  readonly value: string;
  readonly num: string;
  readonly denom: string;
  readonly suffix: string;
}

/** The sign, digits and suffix of a quantity, split as resource.parseQuantityString does. */
function split(text: string): Parts {
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let pos = 0;
  const negative = text[0] === '-';
  if (text[0] === '-' || text[0] === '+') pos++;
  while (text[pos] === '0') pos++;
  if (pos >= text.length) return { negative, value: '0', num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (isDigit(text[pos])) pos++;
  const num = text.slice(numStart, pos) || '0';
  let denom = '';
  if (text[pos] === '.') {
    const denomStart = ++pos;
    while (isDigit(text[pos])) pos++;
    denom = text.slice(denomStart, pos);
  }
  const value = text.slice(0, pos);
  const suffixStart = pos;
  while (pos < text.length && 'eEinumkKMGTP'.includes(text[pos])) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  while (isDigit(text[pos])) pos++;
  if (pos < text.length) throw new Error(formatWrong);
  return { negative, value, num, denom, suffix: text.slice(suffixStart) };
}

/** `n / 10^places` rounded away from zero, for a non-negative n. */
function divideUp(n: bigint, places: number): bigint {
  if (n === 0n || places <= 0) return n * pow10(Math.max(0, -places));
  if (places > n.toString().length) return 1n;
  const divisor = pow10(places);
  return (n + divisor - 1n) / divisor;
}

/** resource.ParseQuantity; throws kube's error text for text that is not a quantity. */
export function parseQuantity(text: string): Quantity {
  if (text === '') throw new Error(formatWrong);
  const { negative, value, num, denom, suffix } = split(text);
  let base: 2 | 10 = 10;
  let exponent: number;
  const binary = binarySuffixes.get(suffix);
  const decimal = decimalSuffixes.get(suffix);
  if (binary !== undefined) [base, exponent] = [2, binary];
  else if (decimal !== undefined) exponent = decimal;
  else if (/^[eE][+-]?[0-9]+$/.test(suffix)) exponent = Number(suffix.slice(1));
  else throw new Error(suffixWrong);
  if (exponent > maxQuantityExponent) throw new Error(`quantity exponent too large: ${suffix}`);

  // The int64 fast path, taken when the digits surely fit.
  const precision =
    base === 10
      ? 18 - (num.length + denom.length)
      : denom.length === 0
        ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1
        : -1;
  const scale = (base === 10 ? exponent : 0) - denom.length;
  if (precision >= 0 && scale >= -9) {
    const digits = BigInt(num + denom) * (base === 2 ? 1n << BigInt(exponent) : 1n);
    if (inInt64(digits)) return { form: 'int64', value: negative ? -digits : digits, scale };
  }

  // The decimal path: exact, rounded up (away from zero) to nano-units.
  const digits = BigInt((value.replace(/^[+-]/, '').replace('.', '') || '0').replace(/^$/, '0'));
  let unscaled = base === 2 ? digits << BigInt(exponent) : digits;
  let decScale = denom.length - (base === 10 ? exponent : 0);
  if (unscaled !== 0n) {
    unscaled = decScale > 9 ? divideUp(unscaled, decScale - 9) : unscaled * pow10(9 - decScale);
    decScale = 9;
  }
  if (base === 2 && unscaled > maxInt64 * pow10(decScale)) [unscaled, decScale] = [maxInt64, 0];
  return { form: 'decimal', unscaled: negative ? -unscaled : unscaled, scale: decScale };
}

/** The exact amount in nano-units (every quantity is a whole number of them). */
export function nanos(q: Quantity): bigint {
  const shift = q.form === 'int64' ? q.scale + 9 : 9 - q.scale;
  const digits = q.form === 'int64' ? q.value : q.unscaled;
  return shift >= 0 ? digits * pow10(shift) : digits / pow10(-shift);
}

const asDecimal = (q: Quantity): { unscaled: bigint; scale: number } =>
  q.form === 'decimal' ? q : { unscaled: q.value, scale: -q.scale };

/** int64Amount.Add: false when the sum leaves int64. */
function addInt64(
  a: { value: bigint; scale: number },
  b: { value: bigint; scale: number },
): Quantity | undefined {
  if (b.value === 0n) return { form: 'int64', ...a };
  if (a.value === 0n) return { form: 'int64', ...b };
  const low = Math.min(a.scale, b.scale);
  const left = a.value * pow10(a.scale - low);
  const right = b.value * pow10(b.scale - low);
  if (!inInt64(left) || !inInt64(right) || !inInt64(left + right)) return undefined;
  return { form: 'int64', value: left + right, scale: low };
}

/** Quantity.Add: in int64 while it fits, else exact decimal at the larger scale. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  if (a.form === 'int64' && b.form === 'int64') {
    const sum = addInt64(a, b);
    if (sum) return sum;
  }
  const x = asDecimal(a);
  const y = asDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const unscaled = x.unscaled * pow10(scale - x.scale) + y.unscaled * pow10(scale - y.scale);
  return { form: 'decimal', unscaled, scale };
}

export const negateQuantity = (q: Quantity): Quantity =>
  q.form === 'int64' ? { ...q, value: -q.value } : { ...q, unscaled: -q.unscaled };

export const subtractQuantities = (a: Quantity, b: Quantity): Quantity => addQuantities(a, negateQuantity(b));

/** resource.NewQuantity(n, DecimalExponent). */
export const quantityOfInteger = (n: bigint): Quantity => ({ form: 'int64', value: n, scale: 0 });

export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = nanos(a);
  const y = nanos(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const quantitySign = (q: Quantity): number => {
  const n = nanos(q);
  return n > 0n ? 1 : n < 0n ? -1 : 0;
};

/** Quantity.AsInt64: only the int64 form at a scale >= 0, and only when it stays in int64. */
export function quantityAsInt64(q: Quantity): bigint | undefined {
  if (q.form !== 'int64' || q.scale < 0) return undefined;
  const n = q.value * pow10(q.scale);
  return inInt64(n) ? n : undefined;
}

/** Go's math.Pow10 (a table product or quotient; exact for the exponents quantities use). */
const goPow10 = (n: number): number => (n >= 0 ? Number(`1e${n}`) : 1 / Number(`1e${-n}`));

/** Quantity.AsApproximateFloat64: the digits as a float64 times a power of ten. */
export function quantityAsFloat(q: Quantity): number {
  const [digits, exponent] = q.form === 'int64' ? [q.value, q.scale] : [q.unscaled, -q.scale];
  const base = Number(digits);
  return exponent === 0 ? base : base * goPow10(exponent);
}
