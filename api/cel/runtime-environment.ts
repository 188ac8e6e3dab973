import {
  celEnv,
  celFunc,
  celMethod,
  CelScalar,
  isCelError,
  type CelEnv,
  type CelFunc,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { iterationTickFunction } from './cost-instrumentation.js';
import { formatLibrary } from './format-library.js';
import { ipLibrary } from './ip-library.js';
import { kubernetesLibrary } from './kubernetes-library.js';
import { optionalLibrary } from './optional-library.js';
import { overloads } from './overloads.js';
import { quantityLibrary } from './quantity-library.js';
import { chargeCurrent, runtimeSize } from './runtime-cost.js';
import { setsLibrary } from './sets-library.js';
import { urlLibrary } from './url-library.js';

/** What one call costs for these actual arguments: the most any declared overload charges. */
function callCost(name: string, target: CelValue | undefined, args: readonly CelValue[]): number {
  const declared = overloads.get(name);
  if (!declared) return 1;
  const receiverSize = runtimeSize(target);
  const argSizes = args.map(runtimeSize);
  let cost = 1;
  for (const overload of declared) {
    const charge = overload.runtimeCost ?? overload.cost;
    if (charge && (overload.receiver !== undefined) === (target !== undefined))
      cost = Math.max(cost, charge(receiverSize, argSizes));
  }
  return cost;
}

/** The same function, charging the current cost tracker before it runs. */
function charged(func: CelFunc): CelFunc {
  const run = (target: CelValue | undefined, args: CelValue[]): CelValue => {
    chargeCurrent(callCost(func.name, target, args));
    const result = func.call(0, target, args);
    if (result === undefined) throw new Error(`no such overload: ${func.name}`);
    if (isCelError(result)) throw result;
    return result;
  };
  if (func.target)
    return celMethod(func.name, func.target, func.arguments, func.result, function (this: CelValue, ...args) {
      return run(this, args) as never;
    });
  return celFunc(func.name, func.arguments, func.result, (...args) => run(undefined, args) as never);
}

const tick = celFunc(iterationTickFunction, [CelScalar.DYN], CelScalar.DYN, (condition) => {
  chargeCurrent(1);
  return condition as never;
});

/**
 * The evaluation environment: @bufbuild/cel's standard library and strings extension, the
 * sets extension, the Kubernetes libraries and optional values, every function charging the
 * cost tracker.
 */
export const runtimeEnvironment: CelEnv = (() => {
  const unwrapped = celEnv({
    funcs: [
      ...strings,
      ...kubernetesLibrary,
      ...setsLibrary,
      ...urlLibrary,
      ...quantityLibrary,
      ...ipLibrary,
      ...formatLibrary,
      ...optionalLibrary,
    ],
  });
  return celEnv({ funcs: [...[...unwrapped.funcs].map(charged), tick] });
})();
