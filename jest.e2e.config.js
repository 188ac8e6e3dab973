import base from './jest.config.js';

/**
 * The end-to-end suite (`npm run test:e2e`): a real etcd, kube-apiserver and
 * kube-controller-manager built by scripts/build-k8s-tools.sh. It fails, never skips,
 * when those binaries are missing.
 * @type {import('jest').Config}
 */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
};
