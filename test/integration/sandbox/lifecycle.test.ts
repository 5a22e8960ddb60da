// The daemons' lifecycle without provisioning: started detached and recorded, kept by a second
// start, restarted when one died, and stopped by `down`, even after sandbox.json was lost.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../cli/config/load.js';
import { isFree } from '../../../cli/sandbox/control/daemons.js';
import { sandboxFiles } from '../../../cli/sandbox/layout.js';
import {
  daemonHealth,
  newState,
  readState,
  sandboxDown,
  startDaemons,
} from '../../../cli/sandbox/control/lifecycle.js';
import { findProcessesOf } from '../../../cli/sandbox/process.js';
import type { SandboxState } from '../../../cli/sandbox/state-files.js';
import { freePort } from '../../_helpers/ports.js';
import { alive, tempSandboxDir } from '../../_helpers/sandbox.js';
import { requireTool } from '../../_helpers/tools.js';

let temp: Awaited<ReturnType<typeof tempSandboxDir>>;
let state: SandboxState;

beforeAll(async () => {
  requireTool('moto_server');
  temp = await tempSandboxDir();
  const base = await freePort();
  const env = { YDEPLOY_SANDBOX_PORT_BASE: String(base - (base % 100) + 80) };
  const environment = await loadEnvironment({ env: 'sandbox', cwd: temp.dir, environment: env });
  state = await newState(temp.dir, environment, env);
});

afterAll(async () => {
  await sandboxDown(temp.dir).catch(() => undefined);
  await temp?.cleanup();
});

describe('sandbox daemons', () => {
  it('start detached on loopback, each recorded by PID and start time', async () => {
    const started = await startDaemons(state, () => undefined);
    expect(started.started).toEqual(['moto', 'discord', 'shim', 'host']);
    const saved = (await readState(temp.dir))!;
    for (const record of Object.values(saved.daemons)) expect(alive(record!.pid)).toBe(true);
    expect(await daemonHealth(saved)).toEqual({
      moto: 'running',
      discord: 'running',
      shim: 'running',
      host: 'running',
    });
    expect(saved.endpoints.aws).toBe(`http://127.0.0.1:${saved.ports.moto}`);
  });

  it('a second start keeps what runs', async () => {
    const before = { ...(await readState(temp.dir))!.daemons };
    const again = await startDaemons((await readState(temp.dir))!, () => undefined);
    expect(again.started).toEqual([]);
    expect(again.state.daemons).toEqual(before);
  });

  it('a dead shim restarts the three that depend on each other, and keeps moto', async () => {
    const current = (await readState(temp.dir))!;
    process.kill(current.daemons.shim!.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const again = await startDaemons(current, () => undefined);
    expect(again.started).toEqual(['discord', 'shim', 'host']);
    expect(again.motoStarted).toBe(false);
    expect(again.state.daemons.moto).toEqual(current.daemons.moto);
  });

  it('down stops everything, even when sandbox.json was lost', async () => {
    const current = (await readState(temp.dir))!;
    const pids = Object.values(current.daemons).map((d) => d!.pid);
    expect(
      findProcessesOf(temp.dir)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['discord', 'host', 'moto', 'shim']);
    await rm(sandboxFiles(temp.dir).state);
    const down = await sandboxDown(temp.dir);
    expect(down.stopped.map((s) => s.name).sort()).toEqual([
      'discord (unrecorded)',
      'host (unrecorded)',
      'moto (unrecorded)',
      'shim (unrecorded)',
    ]);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const port of [current.ports.moto, current.ports.shim, current.ports.discord])
      expect(await isFree(port)).toBe(true);
    expect(findProcessesOf(temp.dir)).toEqual([]);
  });
});
