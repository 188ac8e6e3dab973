import type { Controller, ControllerContext } from '../../../server/controllers/controller.js';
import { FlagError } from '../../../server/options/flag-parser.js';
import { startTestServer } from '../support/test-server.js';
import { ProbeController } from './support/probe-controller.js';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the controllers of a server', () => {
  test('run at once on a standalone server, which leads alone, and show it on /metrics', async () => {
    const probe = new ProbeController();
    const t = await startTestServer({ serve: { controllers: [probe] } });
    try {
      const context = await probe.context;
      expect(context.isLeader()).toBe(true);
      const metrics = await t.request('GET', '/metrics');
      expect(metrics.text).toMatch(/^leader_election_master_status\{name="none"\} 1$/m);
    } finally {
      await t.stop();
    }
  });

  test('a controller that fails or returns early is restarted', async () => {
    let runs = 0;
    const flaky: Controller = {
      name: 'flaky',
      run: async (_context, signal) => {
        runs++;
        if (runs === 1) throw new Error('first run fails');
        if (runs === 2) return;
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      },
    };
    const t = await startTestServer({ serve: { controllers: [flaky] } });
    try {
      await until(() => runs === 3, 'a third run');
    } finally {
      await t.stop();
    }
  });

  test('are stopped, and closed, when the server shuts down', async () => {
    const events: string[] = [];
    const controller: Controller = {
      name: 'tidy',
      run: async (_context, signal) => {
        events.push('run');
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push('stopped');
      },
      close: async () => void events.push('closed'),
    };
    const t = await startTestServer({ serve: { controllers: [controller] } });
    await until(() => events.length === 1, 'the run');
    await t.stop();
    expect(events).toEqual(['run', 'stopped', 'closed']);
  });

  test('--controllers=-name keeps one from running', async () => {
    const on = new ProbeController('on');
    const off = new ProbeController('off');
    const t = await startTestServer({ args: ['--controllers=*,-off'], serve: { controllers: [on, off] } });
    try {
      await on.context;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(off.runs).toBe(0);
    } finally {
      await t.stop();
    }
  });

  test('are set up with their flags before the server serves; a FlagError stops the start', async () => {
    const seen: string[] = [];
    const configured: Controller = {
      name: 'configured',
      flags: [{ name: 'shade', description: 'A shade.', default: 'light', parse: (t: string) => t }],
      setup: (context: ControllerContext) => {
        const shade = context.flag({ name: 'shade', description: '', default: '', parse: (t: string) => t });
        if (shade === 'none') throw new FlagError('--shade: none is not a shade');
        seen.push(shade);
      },
      run: async (_context, signal) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      },
    };
    const t = await startTestServer({ args: ['--shade=dark'], serve: { controllers: [configured] } });
    await t.stop();
    expect(seen).toEqual(['dark']);
    await expect(
      startTestServer({ args: ['--shade=none'], serve: { controllers: [configured] } }),
    ).rejects.toThrow('--shade: none is not a shade');
  });
});
