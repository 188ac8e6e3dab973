import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJsonFileStorage } from '../../../apps/widgets/json-file-storage.js';
import { describeStorageConformance, thing } from '../../../server/testing/index.js';

const directories: string[] = [];
const freshFile = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'widgets-storage-'));
  directories.push(directory);
  return join(directory, 'widgets.json');
};
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describeStorageConformance('JsonFileStorage (apps/widgets)', {
  open: async (options) => openJsonFileStorage(freshFile(), { historySize: options?.historySize }),
});

describe('JsonFileStorage', () => {
  test('what was acknowledged is there after a restart, at the same resourceVersion', async () => {
    const file = freshFile();
    const first = openJsonFileStorage(file);
    const created = await first.create('/widgets.acme.io/widgets/a', thing('a', { color: 'red' }));
    await first.delete('/widgets.acme.io/widgets/a');
    const kept = await first.create('/widgets.acme.io/widgets/b', thing('b', { color: 'blue' }));
    await first.close();
    const second = openJsonFileStorage(file);
    expect(await second.get('/widgets.acme.io/widgets/a')).toBeUndefined();
    expect(await second.get('/widgets.acme.io/widgets/b')).toEqual(kept);
    expect(Number(await second.currentResourceVersion())).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    await second.close();
  });
});
