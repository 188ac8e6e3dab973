/** The parts of jest-circus's per-file state that tell whether anything failed. */
interface CircusBlock {
  readonly type: 'describeBlock';
  readonly children: readonly (CircusBlock | CircusTest)[];
}
interface CircusTest {
  readonly type: 'test';
  readonly errors: readonly unknown[];
}
interface CircusState {
  readonly rootDescribeBlock: CircusBlock;
  readonly unhandledErrors: readonly unknown[];
}

function circusState(): CircusState | undefined {
  // jest-circus keeps its state on the test file's global under Symbol('JEST_STATE_SYMBOL').
  const symbol = Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'JEST_STATE_SYMBOL');
  const state = symbol && (globalThis as Record<symbol, unknown>)[symbol];
  return state && typeof state === 'object' && 'rootDescribeBlock' in state
    ? (state as CircusState)
    : undefined;
}

function blockFailed(block: CircusBlock): boolean {
  return block.children.some((child) =>
    child.type === 'test' ? child.errors.length > 0 : blockFailed(child),
  );
}

/**
 * Whether a test, hook or unhandled error of the current test file has failed so far; undefined
 * when that cannot be told (not running under jest-circus). Meant for `afterAll` hooks that
 * keep diagnostics only when something went wrong.
 */
export function currentTestFileFailed(): boolean | undefined {
  const state = circusState();
  if (!state) return undefined;
  return state.unhandledErrors.length > 0 || blockFailed(state.rootDescribeBlock);
}
