// The SSM agent's stand-in inside a systemd-mode instance (amazon-ssm-agent.service): it takes
// Run Command scripts from the sandbox's SSM endpoint over a Unix socket in the instance's
// exchange folder and runs each one as root with bash, in the agent's own environment, so the
// drop-in the user data installs (amazon-ssm-agent.service.d) applies as with the real agent.
//
// Protocol, one connection per command: the endpoint writes one JSON line {script, cwd}; the
// agent answers with JSON lines {stdout} / {stderr} as output arrives, then {exit, signal}.
// The endpoint closing the connection cancels the command (its process group is killed).
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface AgentRequest {
  script: string;
  cwd?: string;
}

export type AgentMessage = { stdout: string } | { stderr: string } | { exit: number | null; signal: string | null };

export function serveAgent(socketPath: string, log: (line: string) => void): Promise<() => Promise<void>> {
  if (existsSync(socketPath)) rmSync(socketPath, { force: true });
  const server = createServer((socket) => handle(socket, log));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      log(`ssm agent stand-in listening on ${socketPath}`);
      resolve(() => new Promise<void>((done) => server.close(() => done())));
    });
  });
}

function handle(socket: Socket, log: (line: string) => void): void {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.once('line', (line) => {
    lines.close();
    let request: AgentRequest;
    try {
      request = JSON.parse(line) as AgentRequest;
    } catch {
      return void socket.end(
        `${JSON.stringify({ stderr: 'ssm agent: request is not JSON\n' })}\n${JSON.stringify({ exit: 1, signal: null })}\n`,
      );
    }
    const send = (message: AgentMessage) => socket.writable && socket.write(`${JSON.stringify(message)}\n`);
    const cwd = request.cwd && existsSync(request.cwd) ? request.cwd : '/';
    const child = spawn('bash', ['-c', request.script], {
      cwd,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.on('data', (chunk: Buffer) => send({ stdout: chunk.toString('utf8') }));
    child.stderr.on('data', (chunk: Buffer) => send({ stderr: chunk.toString('utf8') }));
    child.on('error', (error) => {
      send({ stderr: `failed to run commands: ${error.message}\n` });
      send({ exit: 1, signal: null });
      socket.end();
    });
    child.on('close', (code, signal) => {
      send({ exit: code, signal });
      socket.end();
    });
    socket.on('close', () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      log(`command cancelled: killing process group ${child.pid}`);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    });
  });
  socket.on('error', () => undefined);
}
