import { readFileSync } from 'node:fs';
import { DEFAULT_ETCD_IMAGE, DEFAULT_IMAGE, PACKAGE_VERSION } from '../../../lib/core/index.js';

describe('lib/core version constants', () => {
  test('GIVEN package.json WHEN reading PACKAGE_VERSION THEN it is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });

  test('GIVEN no image option THEN the default image is what server/Dockerfile builds, without a registry', () => {
    expect(DEFAULT_IMAGE).toBe(`aggregated-apiserver:${PACKAGE_VERSION}`);
    expect(DEFAULT_ETCD_IMAGE).toMatch(/^registry\.k8s\.io\/etcd:3\.6\.\d+-0$/);
  });
});
