import type { Controller } from '../../../server/controllers/controller.js';
import {
  controllerFlagValue,
  controllerManagerFlags,
  enabledControllers,
  parseServeFlags,
} from '../../../server/controllers/controller-flags.js';
import { flagTypes, FlagError } from '../../../server/options/flag-parser.js';
import { parseServerFlags } from '../../../server/options/server-flags.js';

const color = flagTypes.string('paint-color', 'blue', 'The color to paint with.');
const painter: Controller = { name: 'painter', flags: [color], run: async () => undefined };
const sweeper: Controller = { name: 'sweeper', run: async () => undefined };

describe('controller flags', () => {
  test("parses the server's flags, the runner's and each controller's own", () => {
    const flags = parseServeFlags(
      ['--standalone', '--paint-color=red', '--leader-elect=false', '--leader-elect-lease-duration=30s'],
      [painter],
    );
    expect(flags.standalone).toBe(true);
    expect(controllerFlagValue(flags, color)).toBe('red');
    expect(controllerManagerFlags(flags)).toMatchObject({
      leaderElect: false,
      leaderElectLeaseDuration: 30_000,
      leaderElectRenewDeadline: 10_000,
      leaderElectRetryPeriod: 2_000,
      leaderElectResourceName: 'aggregated-apiserver',
      controllers: ['*'],
    });
  });

  test('flags parsed without the controllers give every default', () => {
    const flags = parseServerFlags(['--standalone']);
    expect(controllerFlagValue(flags, color)).toBe('blue');
    expect(controllerManagerFlags(flags).leaderElect).toBe(true);
  });

  test("a server without controllers takes the runner's flags too, so deployments can pass them to any", () => {
    expect(controllerManagerFlags(parseServeFlags(['--leader-elect=false'], [])).leaderElect).toBe(false);
  });

  test("a controller flag named like the server's or another controller's is refused", () => {
    const clash: Controller = { ...sweeper, flags: [flagTypes.string('secure-port', '', 'x')] };
    expect(() => parseServeFlags([], [clash])).toThrow(
      'the flag --secure-port of controller sweeper is also a flag of the server',
    );
    const twin: Controller = { ...sweeper, flags: [color] };
    expect(() => parseServeFlags([], [painter, twin])).toThrow(
      'the flag --paint-color of controller sweeper is also a flag of controller painter',
    );
  });
});

describe('--controllers', () => {
  const both = [painter, sweeper];
  const names = (selection: string[]): string[] => enabledControllers(both, selection).map((c) => c.name);

  test("'*' enables every controller, '-name' turns one off", () => {
    expect(names(['*'])).toEqual(['painter', 'sweeper']);
    expect(names(['*', '-sweeper'])).toEqual(['painter']);
  });

  test('a list of names enables only those', () => {
    expect(names(['sweeper'])).toEqual(['sweeper']);
    expect(names([])).toEqual([]);
  });

  test('an unknown name is a flag error that lists the known ones', () => {
    expect(() => names(['*', '-mopper'])).toThrow(FlagError);
    expect(() => names(['mopper'])).toThrow(
      '--controllers: unknown controller "mopper"; known: painter, sweeper',
    );
  });
});
