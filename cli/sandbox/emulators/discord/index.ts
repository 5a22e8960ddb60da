// A Discord emulator on loopback: REST under /api, the gateway at /gateway, a control API
// under /control. Real discord.js clients log into it (DESIGN.md §5, §6).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { handleControl } from './control.js';
import { acceptGateway } from './gateway.js';
import { HttpError, sendError } from './http.js';
import { handleRest } from './rest.js';
import { snowflake } from './snowflake.js';
import { EmulatorState, spreadGuilds, type Guild } from './emulator-state.js';
import type { IdentifyLimitOptions } from './identify-limits.js';

export interface DiscordEmulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bot tokens it accepts (more can be added through POST /control/tokens). */
  tokens: string[];
  applicationId?: string;
  guilds?: Guild[];
  /** Instead of `guilds`: this many guilds spread evenly over any shard count (see spreadGuilds). */
  guildCount?: number;
  /** The identify budget, max_concurrency (unset: not paced) and guilds per session (identify-limits.ts). */
  limits?: IdentifyLimitOptions;
  heartbeatIntervalMs?: number;
  /**
   * Tokens REST accepts but the gateway rejects with close 4004, as when a token is reset
   * between the two calls: exercises the bot's "Authentication failed" path.
   */
  gatewayRejectTokens?: string[];
}

export interface DiscordEmulator {
  /** http://host:port */
  url: string;
  /** What a bot sets as DISCORD_API: http://host:port/api */
  apiBase: string;
  /** The control API base: http://host:port/control */
  controlUrl: string;
  gatewayUrl: string;
  port: number;
  state: EmulatorState;
  stop(): Promise<void>;
}

export async function startDiscordEmulator(options: DiscordEmulatorOptions): Promise<DiscordEmulator> {
  const host = options.host ?? '127.0.0.1';
  const guilds =
    options.guilds ??
    (options.guildCount === undefined
      ? [{ id: snowflake(), name: 'ydeploy sandbox' }]
      : spreadGuilds(options.guildCount));
  const state = new EmulatorState(
    new Set([...options.tokens, ...(options.gatewayRejectTokens ?? [])]),
    options.applicationId ?? snowflake(),
    guilds,
    options.limits,
  );
  for (const token of options.gatewayRejectTokens ?? []) state.gatewayRejects.add(token);
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  await listen(server, host, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  const gatewayUrl = `ws://${host}:${port}/gateway`;

  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', url).pathname;
    const api = /^\/api(?:\/v\d+)?(\/.*)$/.exec(path);
    const work = api
      ? handleRest(req, res, api[1]!, state, gatewayUrl)
      : path === '/control' || path.startsWith('/control/')
        ? handleControl(req, res, path.slice('/control'.length), state)
        : Promise.reject(new HttpError(404, '404: Not Found'));
    work.catch((error) => {
      if (res.headersSent) return res.destroy();
      sendError(res, error);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (!new URL(req.url ?? '/', url).pathname.startsWith('/gateway')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) =>
      acceptGateway(ws, state, { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250, resumeUrl: gatewayUrl }),
    );
  });

  return {
    url,
    apiBase: `${url}/api`,
    controlUrl: `${url}/control`,
    gatewayUrl,
    port,
    state,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
