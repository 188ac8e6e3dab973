import type { V1ConfigMap } from '@kubernetes/client-node';
import {
  ConfigMapInformer,
  type ConfigMapInformerOptions,
} from '../../../server/auth/delegated/configmap-informer.js';
import { loadKubeConfig, statusOf } from '../../../server/auth/delegated/kube-client.js';
import { createAuthPki, extensionApiserverAuthenticationData, type AuthPki } from './support/auth-pki.js';
import {
  sleep,
  startFakeKubeApiServer,
  until,
  type FakeKubeApiServer,
} from './support/fake-kube-apiserver.js';

/** What the informer reported, in order. */
type Report =
  | { readonly kind: 'listed'; readonly configMap: V1ConfigMap | undefined }
  | { readonly kind: 'changed' | 'deleted'; readonly configMap: V1ConfigMap }
  | { readonly kind: 'failed'; readonly error: unknown; readonly retryInMs: number };

const fieldSelector = 'metadata.name=extension-apiserver-authentication';

describe('ConfigMap informer', () => {
  let pki: AuthPki;
  let fake: FakeKubeApiServer;
  let informers: ConfigMapInformer[] = [];

  beforeAll(async () => {
    pki = await createAuthPki();
    fake = await startFakeKubeApiServer();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.configMapFailure = undefined;
    fake.stallConfigMapLists = false;
    fake.endWatchesAtOnce = false;
    fake.configMapLists.length = 0;
    fake.configMapWatches.length = 0;
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
  });
  afterEach(async () => {
    await Promise.all(informers.map((informer) => informer.close()));
    informers = [];
    fake.endWatches();
  });

  const create = (
    options: Partial<ConfigMapInformerOptions> = {},
  ): { informer: ConfigMapInformer; reports: Report[] } => {
    const reports: Report[] = [];
    const informer = new ConfigMapInformer({
      kubeConfig: loadKubeConfig(fake.kubeconfigPath),
      namespace: 'kube-system',
      name: 'extension-apiserver-authentication',
      retryBackoff: { initialMs: 20, maxMs: 100 },
      handlers: {
        listed: (configMap) => reports.push({ kind: 'listed', configMap }),
        changed: (configMap) => reports.push({ kind: 'changed', configMap }),
        deleted: (configMap) => reports.push({ kind: 'deleted', configMap }),
        failed: (error, retryInMs) => reports.push({ kind: 'failed', error, retryInMs }),
      },
      ...options,
    });
    informers.push(informer);
    return { informer, reports };
  };
  const kinds = (reports: Report[]): string[] => reports.map((r) => r.kind);
  const versionOf = (report: Report | undefined): string | undefined =>
    report && 'configMap' in report ? report.configMap?.metadata?.resourceVersion : undefined;

  it('lists by field selector, then watches from the list’s version with bookmarks and a server-side timeout', async () => {
    const { informer, reports } = create();
    await informer.start();
    expect(kinds(reports)).toEqual(['listed']);
    expect(reports[0]).toMatchObject({ configMap: { data: extensionApiserverAuthenticationData(pki) } });
    expect(fake.configMapLists[0].get('fieldSelector')).toBe(fieldSelector);

    await until(() => fake.openWatches === 1, 'the watch');
    const watch = fake.configMapWatches[0];
    expect(watch.get('fieldSelector')).toBe(fieldSelector);
    expect(watch.get('resourceVersion')).toBe(versionOf(reports[0]));
    expect(watch.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(Number(watch.get('timeoutSeconds'))).toBeLessThanOrEqual(600);
    expect(kinds(reports)).toEqual(['listed']);
  });

  it('reports what the watch sees: a change, a deletion, a creation', async () => {
    const { informer, reports } = create({ watchTimeoutSeconds: 60 });
    await informer.start();
    await until(() => fake.openWatches === 1, 'the watch');
    expect(fake.configMapWatches[0].get('timeoutSeconds')).toBe('60');

    fake.setConfigMap({ 'requestheader-allowed-names': '["aggregator"]' });
    await until(() => reports.length === 2, 'the change');
    expect(reports[1]).toMatchObject({
      kind: 'changed',
      configMap: { data: { 'requestheader-allowed-names': '["aggregator"]' } },
    });
    fake.setConfigMap(undefined);
    await until(() => reports.length === 3, 'the deletion');
    fake.setConfigMap({ 'requestheader-allowed-names': '["again"]' });
    await until(() => reports.length === 4, 'the creation');
    expect(kinds(reports)).toEqual(['listed', 'changed', 'deleted', 'changed']);
    expect(reports[3]).toMatchObject({ configMap: { data: { 'requestheader-allowed-names': '["again"]' } } });
    expect(fake.configMapLists).toHaveLength(1);
  });

  it('resumes a watch the server ended from the last version it saw, a bookmark’s included', async () => {
    const { informer, reports } = create();
    await informer.start();
    await until(() => fake.openWatches === 1, 'the watch');
    fake.setConfigMap({ 'requestheader-allowed-names': '["a"]' });
    await until(() => reports.length === 2, 'the change');

    fake.endWatches();
    await until(() => fake.configMapWatches.length === 2 && fake.openWatches === 1, 'the resumed watch');
    expect(fake.configMapWatches[1].get('resourceVersion')).toBe(versionOf(reports[1]));

    const bookmark = fake.sendBookmark();
    // Only the bookmark's version is still in the history: resuming from any earlier one would be 410.
    fake.compactHistory();
    fake.endWatches();
    await until(
      () => fake.configMapWatches.length === 3 && fake.openWatches === 1,
      'the watch after the bookmark',
    );
    expect(fake.configMapWatches[2].get('resourceVersion')).toBe(bookmark);
    expect(fake.configMapLists).toHaveLength(1);
    expect(kinds(reports)).toEqual(['listed', 'changed']);
  });

  it('relists when its version has expired (410), reporting a ConfigMap changed or deleted meanwhile once', async () => {
    const { informer, reports } = create();
    await informer.start();
    await until(() => fake.openWatches === 1, 'the watch');

    fake.endWatches();
    fake.setConfigMap({ 'requestheader-allowed-names': '["while away"]' });
    fake.compactHistory();
    await until(() => fake.configMapLists.length === 2 && fake.openWatches === 1, 'the relist and watch');
    expect(kinds(reports)).toEqual(['listed', 'listed']);
    expect(reports[1]).toMatchObject({
      configMap: { data: { 'requestheader-allowed-names': '["while away"]' } },
    });

    fake.endWatches();
    fake.setConfigMap(undefined);
    fake.compactHistory();
    await until(() => fake.configMapLists.length === 3 && fake.openWatches === 1, 'the second relist');
    expect(kinds(reports)).toEqual(['listed', 'listed', 'listed', 'deleted']);
    expect(reports[2]).toEqual({ kind: 'listed', configMap: undefined });
  });

  it('reports an error event and reopens the watch only after the backoff', async () => {
    const { informer, reports } = create({ retryBackoff: { initialMs: 200, maxMs: 200 } });
    await informer.start();
    await until(() => fake.openWatches === 1, 'the watch');
    fake.failWatches(500);
    await until(() => reports.length === 2, 'the failure');
    const failure = reports[1];
    expect(failure).toMatchObject({ kind: 'failed', retryInMs: 200 });
    expect(failure.kind === 'failed' && statusOf(failure.error)).toBe(500);
    expect(failure.kind === 'failed' && String(failure.error)).toMatch(
      /watch error: the fake's watch failed with 500/,
    );
    expect(fake.configMapWatches).toHaveLength(1);
    await until(() => fake.openWatches === 1, 'the reopened watch');
    expect(fake.configMapWatches).toHaveLength(2);
    expect(fake.configMapLists).toHaveLength(1);
  });

  it('does not reopen at once, again and again, a watch the server keeps ending at once', async () => {
    fake.endWatchesAtOnce = true;
    const { informer } = create({ retryBackoff: { initialMs: 100, maxMs: 100 } });
    await informer.start();
    await until(() => fake.configMapWatches.length >= 2, 'a reopened watch');
    await sleep(500);
    // Reopened at once, there would be hundreds in that time; paced by the backoff, a handful.
    expect(fake.configMapWatches.length).toBeLessThan(12);
  });

  it('rejects start with the first list’s failure and keeps trying with a growing delay', async () => {
    fake.configMapFailure = 403;
    const { informer, reports } = create({ retryBackoff: { initialMs: 10, maxMs: 40 } });
    const started = informer.start();
    await expect(started).rejects.toMatchObject({ code: 403 });
    await until(() => reports.length >= 4, 'the retries');
    expect(reports.slice(0, 4).map((r) => (r.kind === 'failed' ? r.retryInMs : r.kind))).toEqual([
      10, 20, 40, 40,
    ]);
    fake.configMapFailure = undefined;
    await until(() => reports.some((r) => r.kind === 'listed'), 'the list after the failures');
    await until(() => fake.openWatches === 1, 'the watch');
  });

  it('reports a failed watch request and retries it', async () => {
    const { informer, reports } = create();
    await informer.start();
    await until(() => fake.openWatches === 1, 'the watch');
    fake.configMapFailure = 503;
    fake.endWatches();
    await until(() => reports.some((r) => r.kind === 'failed'), 'the failure');
    const failure = reports.find((r) => r.kind === 'failed');
    expect(failure?.kind === 'failed' && statusOf(failure.error)).toBe(503);
    fake.configMapFailure = undefined;
    await until(() => fake.openWatches === 1, 'the watch after the failure');
    expect(fake.configMapLists).toHaveLength(1);
  });

  it('after close, has nothing on its way and starts nothing, even when closed during a list', async () => {
    fake.stallConfigMapLists = true;
    const { informer, reports } = create();
    const started = informer.start();
    await until(() => fake.configMapLists.length === 1, 'the list');
    await informer.close();
    await expect(started).rejects.toThrow(/stopped before its first list/);
    fake.stallConfigMapLists = false;
    await sleep(100);
    expect(fake.configMapLists).toHaveLength(1);
    expect(fake.configMapWatches).toHaveLength(0);
    expect(reports).toEqual([]);

    const second = create();
    await second.informer.start();
    await until(() => fake.openWatches === 1, 'the watch');
    await second.informer.close();
    await until(() => fake.openWatches === 0, 'the watch to end');
    await sleep(100);
    expect(fake.openWatches).toBe(0);
    expect(fake.configMapWatches).toHaveLength(1);
    expect(kinds(second.reports)).toEqual(['listed']);
  });
});
