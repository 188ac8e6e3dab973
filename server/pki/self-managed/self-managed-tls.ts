import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { messageOf } from '../../auth/delegated/kube-client.js';
import type { Logger } from '../../util/logger.js';
import { SelfManagedClusterObjects, type SelfManagedObjects } from './cluster-objects.js';
import { applyRotationStep, nextRotationStep, type RotationPolicy, type RotationStep } from './rotation.js';
import { secretFromState, stateFromSecret, type ServingState } from './serving-state.js';

/** Options of startSelfManagedTls. */
export interface SelfManagedTlsOptions {
  /** The core cluster (the server's ServiceAccount, or --kubeconfig). */
  readonly kubeConfig: KubeConfig;
  /** The Secret holding the state and the APIServices whose caBundle follows it. */
  readonly objects: SelfManagedObjects;
  readonly policy: RotationPolicy;
  /** Where the current serving pair is written for the TLS server, which reloads it on change. */
  readonly certDir: string;
  /** How often every replica reads the Secret, takes due rotation steps and checks the caBundles. */
  readonly syncPeriodMs: number;
  readonly log: Logger;
  /** How long the first sync may keep failing before the server gives up. @default 60 s */
  readonly startupTimeoutMs?: number;
  /** The clock (tests). */
  readonly now?: () => Date;
}

/** A running self-managed serving certificate. */
export interface SelfManagedTls {
  /** The current serving certificate and key, rewritten on rotation. */
  readonly certFile: string;
  readonly keyFile: string;
  /** Runs one sync now and resolves when it is done. */
  sync(): Promise<void>;
  /** Stops syncing. */
  close(): Promise<void>;
}

/** How soon to try again when a sync could not finish (conflict, an APIService not there yet). */
const RETRY_MS = 5_000;
/** How many steps one sync takes at most; the phases of a CA rotation never chain (overlap). */
const MAX_STEPS_PER_SYNC = 4;

/**
 * The server keeps its own CA and serving certificate in one Secret, shared by every replica,
 * and keeps the caBundle of its own APIServices equal to the CA bundle there: no key material
 * ever appears in a manifest, and nothing outside the cluster needs to be trusted or stored.
 *
 * Each replica syncs at start and every sync period: it reads the Secret, takes the rotation
 * steps that are due (create the CA on first start, re-issue the serving certificate when two
 * thirds of its life have passed, rotate the CA with an overlap; see rotation.ts), writes the
 * Secret back over the version it read (a replica that loses a race reads again), sets the
 * caBundles, and writes the serving pair to `certDir`, where the TLS server picks it up.
 *
 * Resolves once a serving pair is in place; the first sync is retried for a while (the Secret
 * or the API may not be there yet), then the server fails to start with the last error.
 */
export async function startSelfManagedTls(options: SelfManagedTlsOptions): Promise<SelfManagedTls> {
  const { log, policy } = options;
  const now = options.now ?? (() => new Date());
  const objects = new SelfManagedClusterObjects(options.kubeConfig, options.objects);
  const secretRef = `${options.objects.secretNamespace}/${options.objects.secretName}`;
  mkdirSync(options.certDir, { recursive: true, mode: 0o700 });
  const certFile = join(options.certDir, 'apiserver.crt');
  const keyFile = join(options.certDir, 'apiserver.key');
  let written: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<boolean> | undefined;

  /** One sync; resolves whether it finished (false: try again soon). */
  const syncOnce = async (): Promise<boolean> => {
    const read = await objects.readSecret();
    let state: ServingState = stateFromSecret(read);
    const taken: RotationStep[] = [];
    for (
      let step = nextRotationStep(state, now(), policy);
      step;
      step = nextRotationStep(state, now(), policy)
    ) {
      if (taken.length >= MAX_STEPS_PER_SYNC) break;
      state = await applyRotationStep(state, step, now(), policy);
      taken.push(step);
    }
    if (taken.length > 0) {
      const { data, annotations } = secretFromState(state);
      if (!(await objects.writeSecret(read, data, annotations))) {
        log.info(2, 'self-managed TLS: the Secret changed meanwhile; reading it again', {
          secret: secretRef,
        });
        return false;
      }
      for (const step of taken) log.info(0, `self-managed TLS: ${describe(step)}`, { secret: secretRef });
    }
    const bundle = Buffer.from(state.trustBundle.join(''), 'utf8').toString('base64');
    let finished = true;
    for (const [name, result] of await objects.syncCaBundles(bundle)) {
      if (result === 'updated') log.info(0, 'self-managed TLS: updated the caBundle', { apiService: name });
      if (result === 'missing' || result === 'conflict') {
        log.info(1, `self-managed TLS: APIService ${result}; trying again soon`, { apiService: name });
        finished = false;
      }
    }
    if (state.serving) {
      const pair = state.serving.certPem + state.serving.keyPem;
      if (pair !== written) {
        writeAtomically(keyFile, state.serving.keyPem);
        writeAtomically(certFile, state.serving.certPem);
        written = pair;
        log.info(1, 'self-managed TLS: serving certificate written', { certFile });
      }
    }
    return finished;
  };

  const sync = (): Promise<boolean> => {
    running ??= syncOnce().finally(() => (running = undefined));
    return running;
  };

  const schedule = (ms: number): void => {
    if (closed) return;
    timer = setTimeout(() => {
      sync().then(
        (finished) => schedule(finished ? options.syncPeriodMs : Math.min(RETRY_MS, options.syncPeriodMs)),
        (error: unknown) => {
          log.error('self-managed TLS: sync failed', { secret: secretRef, error: messageOf(error) });
          schedule(Math.min(RETRY_MS, options.syncPeriodMs));
        },
      );
    }, ms);
    timer.unref();
  };

  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  for (;;) {
    try {
      const finished = await sync();
      if (written !== undefined) {
        schedule(finished ? options.syncPeriodMs : Math.min(RETRY_MS, options.syncPeriodMs));
        break;
      }
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(
          `self-managed TLS: cannot read or write the Secret ${secretRef}: ${messageOf(error)}`,
        );
      }
      log.error('self-managed TLS: first sync failed; trying again', {
        secret: secretRef,
        error: messageOf(error),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  return {
    certFile,
    keyFile,
    sync: async () => {
      await sync();
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

function describe(step: RotationStep): string {
  switch (step.kind) {
    case 'create':
      return `created a CA and a serving certificate (${step.reason})`;
    case 'repair-trust-bundle':
      return 'added the signing CA back to the trust bundle';
    case 'trust-next-ca':
      return `CA rotation started: the APIServices now trust the old and a new CA (${step.reason})`;
    case 'sign-with-next-ca':
      return 'CA rotation: the serving certificate is now signed by the new CA';
    case 'drop-old-cas':
      return 'CA rotation finished: the APIServices trust only the new CA';
    case 'reissue-serving':
      return `re-issued the serving certificate (${step.reason})`;
    case 'clear-request':
      return `ignored and removed a rotation request: ${step.reason}`;
  }
}

/** Replaces a file by rename, so the TLS server never reads half of it. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}
