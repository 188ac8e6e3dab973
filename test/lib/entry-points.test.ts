import { execFileSync } from 'node:child_process';

/** Which packages loading one entry point pulls in (CommonJS modules land in require.cache). */
function packagesLoadedBy(entry: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(entry)});
    const cache = createRequire(import.meta.url).cache;
    const names = new Set(Object.keys(cache).map((p) => (p.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/) ?? [])[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

describe('entry points load only their own framework', () => {
  test('aggregated-apiserver/cdk8s never loads Pulumi', () => {
    const loaded = packagesLoadedBy('./lib/cdk8s/index.ts');
    expect(loaded).toContain('cdk8s');
    expect(loaded.filter((name) => name.startsWith('@pulumi/'))).toEqual([]);
  });

  test('aggregated-apiserver/pulumi never loads cdk8s', () => {
    const loaded = packagesLoadedBy('./lib/pulumi/index.ts');
    expect(loaded).toContain('@pulumi/pulumi');
    expect(loaded.filter((name) => name.startsWith('cdk8s'))).toEqual([]);
  });
});
