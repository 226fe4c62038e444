/**
 * A TCP proxy on 127.0.0.1 in front of the server under test that can cut the connections of a
 * WebSocket path mid-call: both TCP sockets are destroyed at once, with no close frame, as a
 * network failure (or the server's `socket.terminate()`) does. The browser's WebSocket then closes
 * with 1006 and the server sees its client gone; nothing inside the server is touched.
 */
import net, { type AddressInfo } from 'node:net';

export class CuttableProxy {
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; path: string }>();

  private constructor(private readonly server: net.Server) {}

  /** Listens on an ephemeral port and forwards every connection to `targetPort` on 127.0.0.1. */
  static async start(targetPort: number): Promise<CuttableProxy> {
    const server = net.createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => proxy.forward(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `http://127.0.0.1:PORT`: serve the page from here so that its WebSocket goes through the proxy. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Cuts every open connection whose request line asked for `path`; returns how many. */
  cut(path: string): number {
    let count = 0;
    for (const pair of this.pairs) {
      if (pair.path !== path) continue;
      pair.client.destroy();
      pair.upstream.destroy();
      this.pairs.delete(pair);
      count++;
    }
    return count;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: net.Socket, targetPort: number): void {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, path: '' };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      // The request line of each HTTP request (an upgrade is one): `GET /path?query HTTP/1.1`.
      const line = /^[A-Z]+ (\/[^ ?]*)/.exec(chunk.toString('latin1', 0, 512));
      if (line) pair.path = line[1]!;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
