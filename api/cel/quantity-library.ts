import { celFunc, celMethod, CelScalar, listType, type CelFunc, type CelList } from '@bufbuild/cel';
import { opaqueValue, payloadOf } from './opaque-value.js';
import {
  addQuantities,
  compareQuantities,
  nanos,
  parseQuantity,
  quantityAsFloat,
  quantityAsInt64,
  quantityOfInteger,
  quantitySign,
  subtractQuantities,
  type Quantity,
} from './quantity.js';

/** The Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go). */
const QUANTITY_TYPE = 'kubernetes.Quantity';
const QUANTITY = listType(CelScalar.DYN);
const { STRING, BOOL, INT, DOUBLE } = CelScalar;

/** Quantities are `==` when their amounts are, as resource.Quantity.Equal compares them. */
const wrap = (q: Quantity): CelList => opaqueValue(QUANTITY_TYPE, nanos(q).toString(), q);
const quantityOf = (value: unknown): Quantity => payloadOf<Quantity>(value, QUANTITY_TYPE);

function isQuantity(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch {
    return false;
  }
}

export const quantityLibrary: readonly CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY, (text) => wrap(parseQuantity(text))),
  celFunc('isQuantity', [STRING], BOOL, isQuantity),
  // Declared as a global function in kube (cel.Overload, not cel.MemberOverload): sign(q).
  celFunc('sign', [QUANTITY], INT, (q) => BigInt(quantitySign(quantityOf(q)))),
  celMethod('isGreaterThan', QUANTITY, [QUANTITY], BOOL, function (other) {
    return compareQuantities(quantityOf(this), quantityOf(other)) === 1;
  }),
  celMethod('isLessThan', QUANTITY, [QUANTITY], BOOL, function (other) {
    return compareQuantities(quantityOf(this), quantityOf(other)) === -1;
  }),
  celMethod('compareTo', QUANTITY, [QUANTITY], INT, function (other) {
    return BigInt(compareQuantities(quantityOf(this), quantityOf(other)));
  }),
  celMethod('asApproximateFloat', QUANTITY, [], DOUBLE, function () {
    return quantityAsFloat(quantityOf(this));
  }),
  celMethod('isInteger', QUANTITY, [], BOOL, function () {
    return quantityAsInt64(quantityOf(this)) !== undefined;
  }),
  celMethod('asInteger', QUANTITY, [], INT, function () {
    const value = quantityAsInt64(quantityOf(this));
    if (value === undefined) throw new Error('cannot convert value to integer');
    return value;
  }),
  celMethod('add', QUANTITY, [QUANTITY], QUANTITY, function (other) {
    return wrap(addQuantities(quantityOf(this), quantityOf(other)));
  }),
  celMethod('add', QUANTITY, [INT], QUANTITY, function (n) {
    return wrap(addQuantities(quantityOf(this), quantityOfInteger(n)));
  }),
  celMethod('sub', QUANTITY, [QUANTITY], QUANTITY, function (other) {
    return wrap(subtractQuantities(quantityOf(this), quantityOf(other)));
  }),
  celMethod('sub', QUANTITY, [INT], QUANTITY, function (n) {
    return wrap(subtractQuantities(quantityOf(this), quantityOfInteger(n)));
  }),
];
