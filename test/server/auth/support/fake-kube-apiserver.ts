import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../../../server/pki/certificates.js';

export interface FakeUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface SarAnswer {
  readonly allowed: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
}

type Spec = Record<string, unknown>;

export interface FakeKubeApiServer {
  readonly url: string;
  readonly port: number;
  /** A kubeconfig (token user) pointing at this server. */
  readonly kubeconfigPath: string;
  readonly caPem: string;
  /** The token every client of this fake sends (the delegating service account's). */
  readonly clientToken: string;
  /** Bodies received, in order. */
  readonly tokenReviews: Spec[];
  readonly subjectAccessReviews: Spec[];
  /** Query strings of ConfigMap lists and watches received. */
  readonly configMapLists: URLSearchParams[];
  readonly configMapWatches: URLSearchParams[];
  /** Authorization headers the fake received (checks that client-node sends credentials). */
  readonly credentials: string[];
  /** Valid tokens and who they are. */
  readonly tokens: Map<string, FakeUser>;
  /** Answers SubjectAccessReviews; default: allowed unless the user is "denied-user". */
  sar: (spec: Spec) => SarAnswer;
  /** When set, these endpoints answer with this HTTP status. */
  tokenReviewFailure: number | undefined;
  sarFailure: number | undefined;
  configMapFailure: number | undefined;
  /** When true, ConfigMap lists are never answered (a client must abort them itself). */
  stallConfigMapLists: boolean;
  /** When true, every ConfigMap watch is ended right after its initial events (a misbehaving server). */
  endWatchesAtOnce: boolean;
  /** When true, TokenReviews and SubjectAccessReviews are never answered (timeouts). */
  stallReviews: boolean;
  /** Creates, updates (undefined: deletes) the extension-apiserver-authentication ConfigMap; open watches see it. */
  setConfigMap(data: Record<string, string> | undefined): void;
  /** Forgets the event history, so a watch from an older resourceVersion gets 410 Gone. */
  compactHistory(): void;
  /** Ends every open watch (as a kube-apiserver restart would). */
  endWatches(): void;
  /**
   * Moves the resourceVersion on by a change to some other object, which no watch of this
   * ConfigMap sees, and sends a BOOKMARK at the new version to the watches that allow bookmarks
   * (as kube-apiserver does about once a minute). Returns that version.
   */
  sendBookmark(): string;
  /** Sends an ERROR event with this Status code to every open watch and ends it (as an etcd watch failure would). */
  failWatches(code: number): void;
  readonly openWatches: number;
  close(): Promise<void>;
}

interface Event {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Record<string, unknown>;
  readonly rv: number;
}

const configMapPath = '/api/v1/namespaces/kube-system/configmaps';
const configMapName = 'extension-apiserver-authentication';

/**
 * A small loopback kube-apiserver over real TLS: TokenReview, SubjectAccessReview and the
 * extension-apiserver-authentication ConfigMap (list with a field selector, get, and watch as
 * kube-apiserver serves it: from a resourceVersion, or from the current state when none or "0"
 * is given; 410 Expired in the stream for a compacted version; bookmarks when allowed;
 * timeoutSeconds), counting what it is asked.
 */
export async function startFakeKubeApiServer(): Promise<FakeKubeApiServer> {
  const ca = await createCertificateAuthority('fake-kube-apiserver-ca');
  const serving = await issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validityDays: 1,
  });
  const clientToken = 'delegating-service-account-token';
  let resourceVersion = 100;
  let configMap: Record<string, unknown> | undefined;
  let history: Event[] = [];
  let compactedAt = 0;
  /** Open watches, with whether each allows bookmarks. */
  const watches = new Map<ServerResponse, { readonly bookmarks: boolean }>();

  const server: Server = createServer({ cert: serving.certPem, key: serving.keyPem });
  const fake: FakeKubeApiServer = {
    url: '',
    port: 0,
    kubeconfigPath: '',
    caPem: ca.certPem,
    clientToken,
    tokenReviews: [],
    subjectAccessReviews: [],
    configMapLists: [],
    configMapWatches: [],
    credentials: [],
    tokens: new Map(),
    sar: (spec) =>
      spec.user === 'denied-user'
        ? { allowed: false, denied: true, reason: 'denied by the fake' }
        : { allowed: true, reason: 'allowed by the fake' },
    tokenReviewFailure: undefined,
    sarFailure: undefined,
    configMapFailure: undefined,
    stallConfigMapLists: false,
    endWatchesAtOnce: false,
    stallReviews: false,
    setConfigMap(data) {
      resourceVersion += 1;
      const existed = configMap !== undefined;
      if (data === undefined) {
        if (!configMap) return;
        const gone = {
          ...configMap,
          metadata: { ...(configMap.metadata as object), resourceVersion: String(resourceVersion) },
        };
        configMap = undefined;
        publish({ type: 'DELETED', object: gone, rv: resourceVersion });
        return;
      }
      configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configMapName, namespace: 'kube-system', resourceVersion: String(resourceVersion) },
        data,
      };
      publish({ type: existed ? 'MODIFIED' : 'ADDED', object: configMap, rv: resourceVersion });
    },
    compactHistory() {
      history = [];
      compactedAt = resourceVersion;
    },
    endWatches() {
      for (const res of watches.keys()) res.end();
      watches.clear();
    },
    sendBookmark() {
      resourceVersion += 1;
      const bookmark = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { resourceVersion: String(resourceVersion) },
      };
      for (const [res, { bookmarks }] of watches)
        if (bookmarks) res.write(`${JSON.stringify({ type: 'BOOKMARK', object: bookmark })}\n`);
      return String(resourceVersion);
    },
    failWatches(code) {
      const status = {
        apiVersion: 'v1',
        kind: 'Status',
        status: 'Failure',
        code,
        reason: 'InternalError',
        message: `the fake's watch failed with ${code}`,
      };
      for (const res of watches.keys()) res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      watches.clear();
    },
    get openWatches() {
      return watches.size;
    },
    close: async () => {
      fake.endWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  function publish(event: Event): void {
    history.push(event);
    for (const res of watches.keys())
      res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const failure = (res: ServerResponse, status: number): void =>
    send(res, status, {
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Failure',
      code: status,
      message: `the fake says ${status}`,
    });
  const readBody = async (req: IncomingMessage): Promise<Spec> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Spec;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      fake.credentials.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Bearer ${clientToken}`) return failure(res, 401);

      if (req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const body = await readBody(req);
        fake.tokenReviews.push(body);
        if (fake.stallReviews) return;
        if (fake.tokenReviewFailure) return failure(res, fake.tokenReviewFailure);
        const token = (body.spec as { token?: string }).token ?? '';
        const user = fake.tokens.get(token);
        const status = user
          ? { authenticated: true, user }
          : { authenticated: false, error: 'token not recognised by the fake' };
        return send(res, 201, { ...body, status });
      }

      if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
        const body = await readBody(req);
        fake.subjectAccessReviews.push(body);
        if (fake.stallReviews) return;
        if (fake.sarFailure) return failure(res, fake.sarFailure);
        return send(res, 201, { ...body, status: fake.sar(body.spec as Spec) });
      }

      if (req.method === 'GET' && url.pathname === `${configMapPath}/${configMapName}`) {
        if (fake.configMapFailure) return failure(res, fake.configMapFailure);
        return configMap ? send(res, 200, configMap) : failure(res, 404);
      }

      if (req.method === 'GET' && url.pathname === configMapPath) {
        const watch = url.searchParams.get('watch') === 'true';
        (watch ? fake.configMapWatches : fake.configMapLists).push(url.searchParams);
        if (fake.configMapFailure) return failure(res, fake.configMapFailure);
        if (url.searchParams.get('fieldSelector') !== `metadata.name=${configMapName}`)
          return failure(res, 403);
        if (!watch) {
          if (fake.stallConfigMapLists) return;
          return send(res, 200, {
            apiVersion: 'v1',
            kind: 'ConfigMapList',
            metadata: { resourceVersion: String(resourceVersion) },
            items: configMap ? [configMap] : [],
          });
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        const from = Number(url.searchParams.get('resourceVersion') || '0');
        if (from > 0 && from < compactedAt) {
          const gone = {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 410,
            reason: 'Expired',
            message: 'too old resource version',
          };
          res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
          return;
        }
        // No resourceVersion, or "0": the current state as ADDED events, then changes.
        if (from === 0 && configMap) res.write(`${JSON.stringify({ type: 'ADDED', object: configMap })}\n`);
        else
          for (const e of history.filter((h) => h.rv > from))
            res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
        if (fake.endWatchesAtOnce) {
          res.end();
          return;
        }
        watches.set(res, { bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true' });
        const timeout = Number(url.searchParams.get('timeoutSeconds') || '0');
        const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
        res.on('close', () => {
          watches.delete(res);
          if (timer) clearTimeout(timer);
        });
        return;
      }
      failure(res, 404);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-apiserver-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'fake',
          cluster: {
            server: `https://127.0.0.1:${port}`,
            'certificate-authority-data': Buffer.from(ca.certPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'delegating', user: { token: clientToken } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'delegating' } }],
      'current-context': 'fake',
    }),
  );
  Object.assign(fake, { url: `https://127.0.0.1:${port}`, port, kubeconfigPath });
  return fake;
}

/** Polls until `condition` holds. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
