import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STOCK_IMAGE_CONTROLLERS, STOCK_IMAGE_RESOURCES } from '../../../lib/core/index.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';

const run = promisify(execFile);

/** What the stock entry (server/main.ts, the image's) says about a flag it refuses, before serving. */
async function refusal(flag: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'stock-entry-'));
  try {
    await run(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--standalone', '--secure-port=0', `--data-dir=${dir}`, flag],
      { timeout: 60_000 },
    );
  } catch (error) {
    return (error as { stderr: string }).stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`the stock entry accepted ${flag}`);
}

describe("the stock image's built-ins, as the constructs name them", () => {
  test('GIVEN the stock entry THEN the resources it serves by itself are the ones the constructs name', async () => {
    expect(await refusal('--resources=nothing.example.com')).toContain(
      `this server knows ${STOCK_IMAGE_RESOURCES.join(', ')}`,
    );
    expect(STOCK_IMAGE_RESOURCES).toEqual([`${metricSnapshot.plural}.${metricSnapshot.group}`]);
  }, 90_000);

  test('GIVEN the stock entry THEN its controllers are the ones the constructs may turn off', async () => {
    expect(await refusal('--controllers=nothing')).toContain(
      `known: ${Object.keys(STOCK_IMAGE_CONTROLLERS).join(', ')}`,
    );
  }, 90_000);
});
