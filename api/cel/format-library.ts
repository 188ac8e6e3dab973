import { RE2JS } from '@bufbuild/re2';
import { celFunc, celMethod, CelScalar, listType, type CelFunc, type CelList } from '@bufbuild/cel';
import { requestUriError } from './go-url.js';
import { opaqueValue, payloadOf } from './opaque-value.js';
import { noneValue, optionalOf } from './optional-library.js';
import { regexStringLengthCostFactor, stringTraversalCostFactor } from './overloads.js';
import { chargeCurrent } from './runtime-cost.js';

/**
 * The Kubernetes format library (k8s.io/apiserver/pkg/cel/library/format.go): named string
 * formats, `format.dns1123Label().validate(s)` giving optional.none() when `s` is valid and
 * optional.of(the reasons) otherwise, worded as k8s.io/apimachinery's validation words them.
 */
export interface NamedFormat {
  readonly name: string;
  readonly validate: (value: string) => string[];
  /** The regular expression size kube charges a validation for. */
  readonly maxRegexSize: number;
}

const FORMAT_TYPE = 'kubernetes.NamedFormat';
const OPAQUE = listType(CelScalar.DYN);
const OPTIONAL = listType(CelScalar.DYN);

const byteLength = (s: string): number => new TextEncoder().encode(s).length;
const maxLenError = (n: number): string => `must be no more than ${n} characters`;
function regexError(message: string, pattern: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${eg}regex used for validation is '${pattern}')`;
}

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const labelKeyFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${labelKeyFmt})?`;
/** A whole-string match on RE2, which runs in linear time whatever the input. */
function whole(pattern: string): { test: (value: string) => boolean } {
  const compiled = RE2JS.compile(`^(?:${pattern})$`);
  return { test: (value) => compiled.test(value) };
}
const dns1123Label = whole(dns1123LabelFmt);
const dns1123Subdomain = whole(dns1123SubdomainFmt);
const dns1035Label = whole(dns1035LabelFmt);
const labelKey = whole(labelKeyFmt);
const labelValue = whole(labelValueFmt);

function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!dns1123Label.test(value))
    errors.push(
      dns1123Subdomain.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            dns1123LabelFmt,
            'my-name',
            '123-abc',
          ),
    );
  return errors;
}

function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 253) errors.push(maxLenError(253));
  if (!dns1123Subdomain.test(value))
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  return errors;
}

function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!dns1035Label.test(value))
    errors.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        'my-name',
        'abc-123',
      ),
    );
  return errors;
}

const labelKeyErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** content.IsLabelKey (IsQualifiedName): an optional DNS subdomain prefix and '/', then a name. */
function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2)
    return [
      `a valid label key ${regexError(labelKeyErrMsg, labelKeyFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') errors.push('prefix part must be non-empty');
    else errors.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (byteLength(name) > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!labelKey.test(name))
    errors.push(`name part ${regexError(labelKeyErrMsg, labelKeyFmt, 'MyName', 'my.name', '123-abc')}`);
  return errors;
}

function isLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!labelValue.test(value))
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errors;
}

/** apimachinery's maskTrailingDash, for names that get a generated suffix (it drops two characters). */
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;

/** Go's time.Parse("2006-01-02"): a real calendar date. */
function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

const dateTimePattern = '^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$';
const uuidPattern = '(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$';

/** strfmt.IsDateTime: a date, a `t`, then a time whose fields are in range. */
function isDateTime(value: string): boolean {
  if (value.length < 4) return false;
  const parts = value.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const match = new RegExp(dateTimePattern).exec(parts[1]);
  return match !== null && match[1] <= '23' && match[2] <= '59' && match[3] <= '59';
}

const format = (name: string, validate: (s: string) => string[], maxRegexSize: number): NamedFormat => ({
  name,
  validate,
  maxRegexSize,
});
const check = (ok: (s: string) => boolean, reason: string) => (s: string) => (ok(s) ? [] : [reason]);

/** kube's ConstantFormats, by the name `format.<name>()` and `format.named(<name>)` use. */
export const namedFormats: ReadonlyMap<string, NamedFormat> = new Map([
  ['dns1123Label', format('DNS1123Label', isDns1123Label, 30)],
  ['dns1123Subdomain', format('DNS1123Subdomain', isDns1123Subdomain, 60)],
  ['dns1035Label', format('DNS1035Label', isDns1035Label, 30)],
  ['qualifiedName', format('QualifiedName', isQualifiedName, 60)],
  ['dns1123LabelPrefix', format('DNS1123LabelPrefix', (s) => isDns1123Label(maskTrailingDash(s)), 30)],
  [
    'dns1123SubdomainPrefix',
    format('DNS1123SubdomainPrefix', (s) => isDns1123Subdomain(maskTrailingDash(s)), 60),
  ],
  ['dns1035LabelPrefix', format('DNS1035LabelPrefix', (s) => isDns1035Label(maskTrailingDash(s)), 30)],
  ['labelValue', format('LabelValue', isLabelValue, 40)],
  [
    'uri',
    format(
      'URI',
      (s) => {
        const error = requestUriError(s);
        return error === undefined ? [] : [error];
      },
      1103,
    ),
  ],
  [
    'uuid',
    format(
      'uuid',
      check(
        (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
        'does not match the UUID format',
      ),
      uuidPattern.length,
    ),
  ],
  [
    'byte',
    format(
      'byte',
      check(
        (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
        'invalid base64',
      ),
      84,
    ),
  ],
  ['date', format('date', check(isDate, 'invalid date'), dateTimePattern.length)],
  ['datetime', format('datetime', check(isDateTime, 'invalid datetime'), dateTimePattern.length)],
]);

const wrap = (f: NamedFormat): CelList => opaqueValue(FORMAT_TYPE, f.name, f);

export const formatLibrary: readonly CelFunc[] = [
  ...[...namedFormats].map(([name, f]) => celFunc(`format.${name}`, [], OPAQUE, () => wrap(f))),
  celFunc('format.named', [CelScalar.STRING], OPTIONAL, (name) => {
    const f = namedFormats.get(name);
    return f ? optionalOf(wrap(f)) : noneValue;
  }),
  celMethod('validate', OPAQUE, [CelScalar.STRING], OPTIONAL, function (value) {
    const f = payloadOf<NamedFormat>(this, FORMAT_TYPE);
    // kube charges a regex match of the format's pattern over the string; 1 is charged already.
    const cost =
      Math.ceil((1 + value.length) * stringTraversalCostFactor) *
      Math.ceil(f.maxRegexSize * regexStringLengthCostFactor);
    chargeCurrent(Math.max(0, cost - 1));
    const reasons = f.validate(value);
    return reasons.length === 0 ? noneValue : optionalOf(reasons);
  }),
];
