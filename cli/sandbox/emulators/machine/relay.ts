// The one program of the sandbox that runs inside an instance's network namespace (entered with
// nsenter, the machine's file system left aside): it gives the instance what EC2's network gives
// it, without any route out of the namespace.
//  - outbound: the sandbox's endpoints (moto, the SSM endpoint, the Discord emulator) listen on
//    the instance's own 127.0.0.1 at the ports they have on this machine, each connection relayed
//    over a Unix socket the instance host serves, which connects to this machine's loopback;
//  - inbound: a Unix socket per port the host reaches the instance on (its health port), each
//    connection relayed to that port on the instance's 127.0.0.1;
//  - IMDS at 169.254.169.254:80.
// Unix sockets are files, not network addresses: they cross network namespaces.
import { readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Imds, type ImdsFacts } from './imds.js';

export interface RelayConfig {
  outbound: { port: number; socket: string }[];
  inbound: { socket: string; port: number }[];
  /** The instance host's facts file for IMDS. */
  imdsFacts: string;
}

export async function startRelay(config: RelayConfig, log: (line: string) => void): Promise<() => Promise<void>> {
  const servers: Server[] = [];
  for (const { port, socket } of config.outbound)
    servers.push(
      await listen(
        createServer((c) => pipe(c, () => connect(socket))),
        { port, host: '127.0.0.1' },
      ),
    );
  for (const { socket, port } of config.inbound) {
    await rm(socket, { force: true });
    servers.push(
      await listen(
        createServer((c) => pipe(c, () => connect(port, '127.0.0.1'))),
        { path: socket },
      ),
    );
  }
  let cached: { at: number; facts?: ImdsFacts } = { at: 0 };
  const imds = new Imds(async () => {
    // Re-read at most every 250 ms: tags change (BotRole) while the instance runs.
    if (Date.now() - cached.at > 250) {
      const facts = await readFile(config.imdsFacts, 'utf8')
        .then((t) => JSON.parse(t) as ImdsFacts)
        .catch(() => cached.facts);
      cached = { at: Date.now(), facts };
    }
    return cached.facts;
  });
  const http = createHttpServer((req, res) => {
    imds.handle(req, res).catch((error: unknown) => {
      log(`imds: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  servers.push(await listen(http, { port: 80, host: '169.254.169.254' }));
  log(
    `relaying ${config.outbound.map((o) => o.port).join(', ')} out, ${config.inbound.map((i) => i.port).join(', ')} in; IMDS on 169.254.169.254:80`,
  );
  return async () => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
}

export function listen(server: Server, where: { port: number; host: string } | { path: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => resolve(server));
  });
}

/** Relays one connection both ways to what `open` connects to; an error on either side closes both. */
export function pipe(client: Socket, open: () => Socket): void {
  const upstream = open();
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}
