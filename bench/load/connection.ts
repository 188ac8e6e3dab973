import type { ClientHttp2Session } from 'node:http2';
import { call, openSession, type Answer, type Call } from './http2-client.js';
import type { Endpoint } from './protocol.js';

/**
 * One HTTP/2 connection that is opened again when the server closed it (GOAWAY, a reset): a
 * request that fails on a dead connection counts as an error, the next one gets a new one.
 */
export class Connection {
  private session: ClientHttp2Session | undefined;
  private opening: Promise<ClientHttp2Session> | undefined;

  constructor(private readonly endpoint: Endpoint) {}

  async open(): Promise<void> {
    await this.current();
  }

  send(request: Call): Promise<Answer> {
    return this.current().then((session) => call(session, this.endpoint, request));
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }

  /** The live session, opening one when there is none or it has gone away. */
  current(): Promise<ClientHttp2Session> {
    const session = this.session;
    if (session && !session.closed && !session.destroyed) return Promise.resolve(session);
    this.opening ??= openSession(this.endpoint).then(
      (opened) => {
        this.session = opened;
        this.opening = undefined;
        return opened;
      },
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }
}
