import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP front for several replicas, as a Service in front of a Deployment: each
 * connection goes to the next replica in turn, or to the one after when that one does not
 * accept. TLS passes through untouched (every replica has the same serving certificate).
 */
export class TcpFailover {
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(port: number, backends: readonly number[]): Promise<TcpFailover> {
    const server = createServer();
    const front = new TcpFailover(server);
    server.on('connection', (client) => front.forward(client, backends));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    return front;
  }

  private forward(client: Socket, backends: readonly number[]): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const first = this.next++ % backends.length;
    const attempt = (tried: number): void => {
      if (tried >= backends.length || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = connect(backends[(first + tried) % backends.length], '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        this.sockets.add(upstream);
        upstream.on('close', () => {
          this.sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (connected) upstream.destroy();
        else attempt(tried + 1);
      });
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
