import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../util/logger.js';
import { answerClientError } from './client-errors.js';
import type { ServerRequest, ServerResponseLike } from './exchange.js';

/** How much unsent data (MB) one HTTP/2 session may hold before new streams are refused. */
export const SESSION_MEMORY_MB = 512;

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
  const http1 = new Http1Connections();
  const server = createSecureServer(
    {
      ...readCredentials(),
      ...tlsOptions,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: 1000 },
      // Node refuses new streams (ENHANCE_YOUR_CALM) once a session holds this many MB of unsent
      // data; its default of 10 is less than one list of 10,000 objects, and the aggregator sends
      // everything on one session. Flow control still paces each stream.
      maxSessionMemory: SESSION_MEMORY_MB,
    },
    (req, res) => {
      if (req.httpVersionMajor === 1) http1.track(req.socket as TLSSocket, res);
      options.listener(req, res);
    },
  );
  const sockets = new Set<TLSSocket>();
  const sessions = new Set<Http2Session>();
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.setNoDelay(true);
    // The client certificate stays the connection's for its life (the authenticators remember
    // its verification per socket): like Go's TLS server, no renegotiation.
    socket.disableRenegotiation();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('tlsClientError', (error) => log.info(4, 'TLS handshake failed', { error: error.message }));
  // HTTP/1.1 requests Node's parser refuses get a Status body rather than Node's bare answer.
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    log.info(4, 'malformed HTTP/1.1 request', { code: error.code });
    answerClientError(error, socket);
  });

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
      // HTTP/1.1 keep-alive connections would otherwise hold the close until `graceMs`.
      http1.closeWhenIdle(sockets);
      const deadline = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
    },
  };
}

/**
 * The HTTP/1.1 connections' requests in flight. Once the server closes, a connection is ended as
 * soon as it has none: an idle keep-alive connection (one whose watch just ended, say) would
 * otherwise hold the shutdown until the grace period, where HTTP/2 sessions close by themselves.
 */
class Http1Connections {
  private readonly inFlight = new Map<TLSSocket, number>();
  private closing = false;

  track(socket: TLSSocket, res: ServerResponseLike): void {
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
    if (this.closing && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('close', () => {
      const left = (this.inFlight.get(socket) ?? 1) - 1;
      if (left > 0) this.inFlight.set(socket, left);
      else {
        this.inFlight.delete(socket);
        if (this.closing) socket.end();
      }
    });
  }

  /** From now on, ends each HTTP/1.1 connection of `sockets` once it has no request in flight. */
  closeWhenIdle(sockets: ReadonlySet<TLSSocket>): void {
    this.closing = true;
    for (const socket of sockets) {
      if (socket.alpnProtocol !== 'h2' && !this.inFlight.has(socket)) socket.end();
    }
  }
}
