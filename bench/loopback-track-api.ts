import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake Customer.io Track API on a free loopback port, for the benches: it answers the credentials check itself and
 * hands every other request, with its whole body, to `onRequest`. Keep-alive connections are tracked so close() ends
 * them at once.
 */
export class LoopbackTrackApi {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(
    onRequest: (req: IncomingMessage, body: string, res: ServerResponse) => void,
  ): Promise<LoopbackTrackApi> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const api = new LoopbackTrackApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      api.sockets.add(socket);
      socket.on('close', () => api.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/api/v1/accounts/region') {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end('{"region":"us","url":"https://track.customer.io"}');
          return;
        }
        onRequest(req, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
    return api;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

/** Runs a bench's main and exits with its outcome (the service it started may keep handles open). */
export function runBenchMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
