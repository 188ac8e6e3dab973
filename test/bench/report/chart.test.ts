import { ratioChart } from '../../../bench/report/chart.js';
import { resultsFixture } from './fixture.js';

describe('ratioChart', () => {
  const svg = ratioChart(resultsFixture());

  test('is an SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  test('draws one bar per measured ratio, labelled with its value', () => {
    const bars = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(bars).toEqual([
      'embedded store, system:masters: 2.00x',
      'etcd, system:masters: 0.50x',
      'this server, embedded: 0.10x',
      'this server, etcd: 0.025x',
      'sample-apiserver: 0.050x',
    ]);
  });

  test('marks parity on a log scale that spans every ratio', () => {
    expect(svg).toContain('>1x</text>');
    expect(svg).toContain('>1/64x</text>');
    expect(svg).toContain('>2x</text>');
  });
});
