import { X509Certificate } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  applyRotationStep,
  nextRotationStep,
  type RotationPolicy,
} from '../../../../server/pki/self-managed/rotation.js';
import {
  secretFromState,
  stateFromSecret,
  type ServingState,
} from '../../../../server/pki/self-managed/serving-state.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy: RotationPolicy = {
  hosts: ['api.demo.svc', 'api.demo', '127.0.0.1'],
  caCommonName: 'demo/api CA',
  caValidityMs: 300 * DAY,
  servingValidityMs: 30 * DAY,
  overlapMs: 10 * 60_000,
};
const start = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);

/** Takes every step that is due at `now`, as one sync would. */
async function converge(state: ServingState, now: Date, p = policy): Promise<[ServingState, string[]]> {
  const kinds: string[] = [];
  for (let step = nextRotationStep(state, now, p); step; step = nextRotationStep(state, now, p)) {
    kinds.push(step.kind);
    state = await applyRotationStep(state, step, now, p);
    if (kinds.length > 5) throw new Error(`no convergence: ${kinds.join(', ')}`);
  }
  return [state, kinds];
}

function issuerOf(certPem: string): string {
  return new X509Certificate(certPem).issuer;
}
function subjectOf(certPem: string): string {
  return new X509Certificate(certPem).subject;
}

describe('self-managed TLS rotation', () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  beforeEach(() => jest.setSystemTime(start));
  afterAll(() => jest.useRealTimers());

  it('creates a CA and a serving certificate for the hosts when there is nothing', async () => {
    const [state, kinds] = await converge({ trustBundle: [] }, start);
    expect(kinds).toEqual(['create']);
    const serving = new X509Certificate(state.serving!.certPem);
    expect(serving.checkHost('api.demo.svc', { subject: 'never' })).toBe('api.demo.svc');
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkIssued(new X509Certificate(state.signingCa!.certPem))).toBe(true);
    expect(state.trustBundle).toEqual([state.signingCa!.certPem]);
  });

  it('leaves a current state alone', async () => {
    const [state] = await converge({ trustBundle: [] }, start);
    expect(nextRotationStep(state, at(DAY), policy)).toBeUndefined();
  });

  it('re-issues the serving certificate from the same CA once two thirds of its life have passed', async () => {
    const [state] = await converge({ trustBundle: [] }, start);
    expect(nextRotationStep(state, at(19 * DAY), policy)).toBeUndefined();
    jest.setSystemTime(at(21 * DAY));
    const [renewed, kinds] = await converge(state, at(21 * DAY));
    expect(kinds).toEqual(['reissue-serving']);
    expect(renewed.signingCa).toEqual(state.signingCa);
    expect(renewed.serving!.certPem).not.toEqual(state.serving!.certPem);
  });

  it('re-issues the serving certificate when the hosts change', async () => {
    const [state] = await converge({ trustBundle: [] }, start);
    const step = nextRotationStep(state, start, { ...policy, hosts: [...policy.hosts, 'api.example.com'] });
    expect(step).toEqual({
      kind: 'reissue-serving',
      reason: 'the serving certificate does not cover api.example.com',
    });
  });

  it('rotates the CA in three steps an overlap apart, so the serving CA is always trusted', async () => {
    const [initial] = await converge({ trustBundle: [] }, start);
    const oldCa = initial.signingCa!.certPem;
    let now = at(201 * DAY);
    jest.setSystemTime(now);

    // The serving certificate from day 0 has expired by now too: re-issued, still by the old CA.
    let [state, kinds] = await converge(initial, now);
    expect(kinds).toEqual(['trust-next-ca', 'reissue-serving']);
    expect(state.trustBundle).toEqual([oldCa, state.nextCa!.certPem]);
    expect(issuerOf(state.serving!.certPem)).toBe(subjectOf(oldCa));

    now = new Date(now.getTime() + policy.overlapMs - 1);
    expect(nextRotationStep(state, now, policy)).toBeUndefined();
    now = new Date(now.getTime() + 1);
    jest.setSystemTime(now);
    const newCa = state.nextCa!.certPem;
    [state, kinds] = await converge(state, now);
    expect(kinds).toEqual(['sign-with-next-ca']);
    expect(state.signingCa!.certPem).toBe(newCa);
    expect(issuerOf(state.serving!.certPem)).toBe(subjectOf(newCa));
    expect(state.trustBundle).toEqual([oldCa, newCa]);

    expect(nextRotationStep(state, new Date(now.getTime() + policy.overlapMs - 1), policy)).toBeUndefined();
    now = new Date(now.getTime() + policy.overlapMs);
    [state, kinds] = await converge(state, now);
    expect(kinds).toEqual(['drop-old-cas']);
    expect(state.trustBundle).toEqual([newCa]);
    expect(nextRotationStep(state, now, policy)).toBeUndefined();
  });

  it('rotates the CA at once when the rotate annotation asks for it, and removes the annotation', async () => {
    const [initial] = await converge({ trustBundle: [] }, start);
    const [state, kinds] = await converge({ ...initial, rotateRequest: 'ca' }, at(DAY));
    expect(kinds).toEqual(['trust-next-ca']);
    expect(state.rotateRequest).toBeUndefined();
    expect(secretFromState(state).annotations['aggregated-apiserver.io/rotate']).toBeUndefined();
  });

  it('re-issues the serving certificate when asked, and ignores unknown requests', async () => {
    const [initial] = await converge({ trustBundle: [] }, start);
    const [reissued, kinds] = await converge({ ...initial, rotateRequest: 'serving' }, at(DAY));
    expect(kinds).toEqual(['reissue-serving']);
    expect(reissued.serving!.certPem).not.toBe(initial.serving!.certPem);
    const [ignored, other] = await converge({ ...initial, rotateRequest: 'everything' }, at(DAY));
    expect(other).toEqual(['clear-request']);
    expect(ignored.serving).toEqual(initial.serving);
  });

  it('starts over with a new CA when the stored one expired, and puts it back in a bundle that lost it', async () => {
    const [initial] = await converge({ trustBundle: [] }, start);
    expect(nextRotationStep(initial, at(301 * DAY), policy)?.kind).toBe('create');
    const [repaired, kinds] = await converge({ ...initial, trustBundle: [] }, at(DAY));
    expect(kinds).toEqual(['repair-trust-bundle']);
    expect(repaired.trustBundle).toEqual([initial.signingCa!.certPem]);
  });

  it('survives the round trip through the Secret', async () => {
    const [initial] = await converge({ trustBundle: [] }, start);
    jest.setSystemTime(at(201 * DAY));
    const [rotating] = await converge(initial, at(201 * DAY));
    const { data, annotations } = secretFromState(rotating);
    const read = stateFromSecret({
      data,
      annotations: Object.fromEntries(
        Object.entries(annotations).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    });
    expect(read).toEqual(rotating);
  });
});
