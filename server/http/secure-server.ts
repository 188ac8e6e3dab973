import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../util/logger.js';
import type { ServerRequest, ServerResponseLike } from './exchange.js';

export interface SecureServerOptions {
  readonly bindAddress: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly cipherSuites?: string;
  readonly listener: (req: ServerRequest, res: ServerResponseLike) => void;
  readonly log: Logger;
  /** How often the certificate files are checked for rotation. */
  readonly certReloadIntervalMs?: number;
}

export interface RunningServer {
  readonly server: Http2SecureServer;
  readonly port: number;
  /** Stops accepting connections; existing ones are closed once their requests finish or `graceMs` passes. */
  close(graceMs: number): Promise<void>;
}

/**
 * The transport: TLS (client certificates requested, never required, since trust is decided
 * per CA by the authenticators), HTTP/2 with 1000 concurrent streams for the aggregator's one
 * multiplexed connection, HTTP/1.1 for everything else, and certificate files reloaded when
 * they change on disk (a rotated Secret needs no restart).
 */
export async function startSecureServer(options: SecureServerOptions): Promise<RunningServer> {
  const { log } = options;
  const readCredentials = (): { cert: Buffer; key: Buffer } => ({
    cert: readFileSync(options.certFile),
    key: readFileSync(options.keyFile),
  });
  const tlsOptions = {
    minVersion: options.minVersion,
    ...(options.cipherSuites ? { ciphers: options.cipherSuites } : {}),
    requestCert: true,
    rejectUnauthorized: false,
  };
  const server = createSecureServer(
    { ...readCredentials(), ...tlsOptions, allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } },
    options.listener,
  );
  const sockets = new Set<TLSSocket>();
  const sessions = new Set<Http2Session>();
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('tlsClientError', (error) => log.info(4, 'TLS handshake failed', { error: error.message }));

  const reload = (): void => {
    try {
      server.setSecureContext({ ...readCredentials(), ...tlsOptions });
      log.info(1, 'reloaded the serving certificate', { certFile: options.certFile });
    } catch (error) {
      log.error('could not reload the serving certificate; keeping the previous one', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const interval = options.certReloadIntervalMs ?? 1000;
  for (const file of [options.certFile, options.keyFile])
    watchFile(file, { interval, persistent: false }, reload);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info(0, 'serving securely', { address: options.bindAddress, port });

  return {
    server,
    port,
    close: async (graceMs) => {
      for (const file of [options.certFile, options.keyFile]) unwatchFile(file, reload);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const deadline = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
    },
  };
}
