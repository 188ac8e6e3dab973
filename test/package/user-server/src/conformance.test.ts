import { describe, it, beforeEach, afterEach } from 'node:test';
import { describeStorageConformance } from 'aggregated-apiserver/server/testing';
import { CountingStorage } from './counting-storage.js';

describeStorageConformance(
  'CountingStorage',
  { open: async (options) => new CountingStorage('/dev/null', options?.historySize) },
  { runner: { describe, it, beforeEach, afterEach } },
);
