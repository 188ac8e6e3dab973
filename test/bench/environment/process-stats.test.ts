import { CpuMeter, processCpuSeconds, processRssBytes } from '../../../bench/environment/process-stats.js';

describe('process stats', () => {
  test('reads the CPU time this process has used', () => {
    const seconds = processCpuSeconds(process.pid);
    const own = process.cpuUsage();
    expect(seconds).toBeGreaterThan(0);
    // /proc counts in clock ticks; allow a few of them.
    expect(Math.abs(seconds! - (own.user + own.system) / 1e6)).toBeLessThan(0.1);
  });

  test('reads the resident memory of this process', () => {
    const rss = processRssBytes(process.pid);
    expect(rss).toBeGreaterThan(0);
    expect(Math.abs(rss! - process.memoryUsage().rss)).toBeLessThan(16 * 2 ** 20);
  });

  test('knows nothing of a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 30)).toBeUndefined();
    expect(processRssBytes(2 ** 30)).toBeUndefined();
  });

  test('measures the CPU a busy loop used over the time it took, for this process and by pid', () => {
    const started = performance.now();
    const before = process.cpuUsage();
    const meter = new CpuMeter({ me: process.pid, gone: 2 ** 30 });
    // Spin until 300 ms of CPU are used, however long a busy machine makes that take.
    while (process.cpuUsage(before).user < 300_000) Math.sqrt(Math.random());
    const { self, observed } = meter.read();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(before);
    const cpuSeconds = (used.user + used.system) / 1e6;
    expect(Math.abs(self * seconds - cpuSeconds)).toBeLessThan(0.05);
    expect(Math.abs(observed.me * seconds - cpuSeconds)).toBeLessThan(0.05);
    expect(observed).not.toHaveProperty('gone');
  });
});
