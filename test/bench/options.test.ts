import { parseBenchOptions } from '../../bench/options.js';

const tmp = (): string => '/tmp/bench-out';

describe('parseBenchOptions', () => {
  test('runs the issue sizes by default and writes BENCHMARKS.md at the root', () => {
    const options = parseBenchOptions([], {}, tmp);
    expect(options).toMatchObject({
      small: false,
      listSmall: 1000,
      listLarge: 10000,
      pageSize: 500,
      watchers: 1000,
      memorySizes: [10000, 100000],
      repetitions: 3,
      outDir: 'bench/results',
      reportFile: 'BENCHMARKS.md',
    });
    expect(options.targets).toEqual(['embedded', 'etcd', 'sample-apiserver', 'ceiling']);
    expect(options.users).toEqual(['admin', 'user']);
  });

  test('runs small sizes into a temporary directory with --small or BENCH_SMALL=1', () => {
    for (const options of [
      parseBenchOptions(['--small'], {}, tmp),
      parseBenchOptions([], { BENCH_SMALL: '1' }, tmp),
    ]) {
      expect(options).toMatchObject({
        small: true,
        repetitions: 1,
        listLarge: 1000,
        outDir: '/tmp/bench-out',
      });
      expect(options.reportFile).toBe('/tmp/bench-out/BENCHMARKS.md');
    }
  });

  test('takes sizes and targets from the command line', () => {
    const options = parseBenchOptions(
      [
        '--list-sizes',
        '10,20',
        '--memory-sizes',
        '1_000,5000',
        '--targets',
        'etcd,ceiling',
        '--users',
        'user',
      ],
      {},
      tmp,
    );
    expect(options).toMatchObject({ listSmall: 10, listLarge: 20, memorySizes: [1000, 5000] });
    expect(options.targets).toEqual(['etcd', 'ceiling']);
    expect(options.users).toEqual(['user']);
  });

  test('profiles this server into an absolute directory with --cpu-prof, and not otherwise', () => {
    expect(parseBenchOptions([], {}, tmp).cpuProfileDir).toBeUndefined();
    expect(parseBenchOptions(['--cpu-prof', 'profiles'], {}, tmp).cpuProfileDir).toBe(
      `${process.cwd()}/profiles`,
    );
  });

  test.each([
    [['--targets', 'kube-apiserver'], /not one of/],
    [['--list-sizes', '10'], /two sizes/],
    [['--memory-sizes', '500,100'], /the smaller first/],
    [['--repetitions', '0'], /positive number/],
    [['--nonsense'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchOptions(argv, {}, tmp)).toThrow(message);
  });
});
