import { readFileSync } from 'node:fs';
import { missingServerRuntime, SERVER_RUNTIME_PACKAGES } from '../../server/runtime-packages.js';

const json = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string>>;

describe('the server runtime packages', () => {
  test('GIVEN the server-runtime workspace and the optional peers THEN they list exactly these packages and ranges', () => {
    const listed = Object.fromEntries(SERVER_RUNTIME_PACKAGES.map((p) => [p.name, p.range]));
    expect(json('server-runtime/package.json').dependencies).toEqual(listed);
    const root = json('package.json');
    for (const [name, range] of Object.entries(listed)) {
      expect({ name, peer: root.peerDependencies[name], optional: root.peerDependenciesMeta[name] }).toEqual({
        name,
        peer: range,
        optional: { optional: true },
      });
      expect({ name, inDependencies: name in root.dependencies }).toEqual({ name, inDependencies: false });
    }
  });

  test('GIVEN this checkout THEN none is missing, and one that cannot be resolved is reported', () => {
    expect(missingServerRuntime()).toEqual([]);
    expect(missingServerRuntime((name) => name !== 'etcd3')).toEqual(['etcd3']);
  });
});
