/**
 * Preloaded into the server process the fuzzer starts (with --expose-gc): SIGUSR2 runs a full
 * garbage collection, so that the heap measured before and after a run counts live objects,
 * not garbage V8 has not got round to collecting. Nothing of the server changes.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (collect) process.on('SIGUSR2', () => collect());
