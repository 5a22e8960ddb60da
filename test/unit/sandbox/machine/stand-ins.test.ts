import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { checkConfig, expandStreamName } from '../../../../cli/sandbox/emulators/machine/agents/cloudwatch-agent.js';
import { serveAgent } from '../../../../cli/sandbox/emulators/machine/agents/ssm-agent.js';
import { IMAGE_FILES, installImage } from '../../../../cli/sandbox/emulators/machine/image.js';
import { resolveInstancesMode } from '../../../../cli/sandbox/emulators/machine/prerequisites.js';
import { rootfsKey } from '../../../../cli/sandbox/emulators/machine/rootfs.js';

const moduleConfig = {
  logs: {
    logs_collected: {
      files: {
        collect_list: [
          {
            file_path: '/var/log/discord-bot/bot.log',
            log_group_name: '/ec2/p-e-logs',
            log_stream_name: '{instance_id}-bot',
          },
        ],
      },
    },
  },
  metrics: { namespace: 'CWAgent', metrics_collected: { mem: { measurement: ['mem_used_percent'] } } },
};

describe('CloudWatch agent stand-in', () => {
  it("accepts the module's config and names the stream as the real agent does", () => {
    expect(checkConfig(moduleConfig)).toEqual([]);
    expect(expandStreamName('{instance_id}-bot', { instanceId: 'i-1', hostname: 'h' })).toBe('i-1-bot');
  });

  it('refuses a relative path, a bad group and a stream name with a colon', () => {
    const entry = moduleConfig.logs.logs_collected.files.collect_list[0];
    const bad = {
      logs: {
        logs_collected: {
          files: { collect_list: [{ ...entry, file_path: 'bot.log', log_group_name: 'a b', log_stream_name: 'x:y' }] },
        },
      },
    };
    expect(checkConfig(bad)).toEqual([
      'logs.logs_collected.files.collect_list[0].file_path: must be an absolute path',
      'logs.logs_collected.files.collect_list[0].log_group_name: must be a CloudWatch Logs group name',
      "logs.logs_collected.files.collect_list[0].log_stream_name: must be a stream name (no ':' or '*')",
    ]);
  });
});

describe('SSM agent stand-in', () => {
  it('runs a script with bash in its own environment and streams its output and exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ydeploy-agent-'));
    const socket = join(dir, 'agent.sock');
    process.env.YDEPLOY_HEALTH_PORT = '3100';
    const close = await serveAgent(socket, () => {});
    try {
      const client = connect(socket);
      client.write(`${JSON.stringify({ script: 'echo port=$YDEPLOY_HEALTH_PORT; echo oops >&2; exit 3' })}\n`);
      const messages: Record<string, unknown>[] = [];
      for await (const line of createInterface({ input: client })) messages.push(JSON.parse(line));
      expect(
        messages
          .filter((m) => 'stdout' in m)
          .map((m) => m.stdout)
          .join(''),
      ).toBe('port=3100\n');
      expect(
        messages
          .filter((m) => 'stderr' in m)
          .map((m) => m.stderr)
          .join(''),
      ).toBe('oops\n');
      expect(messages.at(-1)).toEqual({ exit: 3, signal: null });
    } finally {
      delete process.env.YDEPLOY_HEALTH_PORT;
      await close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the instance image', () => {
  it('lays its stand-ins on a root filesystem; each script is valid bash', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ydeploy-image-'));
    try {
      await installImage(root);
      for (const [path, file] of Object.entries(IMAGE_FILES)) {
        expect(await readFile(join(root, path), 'utf8')).toBe(file.content);
        if (file.content.startsWith('#!/bin/bash')) {
          const check = await execa('bash', ['-n', join(root, path)], { reject: false });
          expect(check.exitCode, `${path}: ${check.stderr}`).toBe(0);
        }
      }
      const dnf = await execa(
        'bash',
        ['-c', `sed 's#/var/log#${root}#' ${join(root, 'usr/bin/dnf')} | bash -s install -y nodejs22`],
        { reject: false },
      );
      expect(dnf.exitCode, dnf.stderr).toBe(0);
      expect(await readFile(join(root, 'dnf-requests.log'), 'utf8')).toMatch(/dnf install -y nodejs22\n$/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('is keyed by what goes into it', async () => {
    expect(await rootfsKey()).toMatch(/^bookworm-[0-9a-f]{16}$/);
    expect(await rootfsKey()).toBe(await rootfsKey());
  });
});

describe('choosing how instances boot', () => {
  const ok = () => ({ ok: true, missing: [] });
  const missing = () => ({ ok: false, missing: ['systemd-nspawn: not installed (Debian package systemd-container)'] });

  it('defaults to systemd where it can run, else process, saying why', () => {
    expect(resolveInstancesMode(undefined, ok).mode).toBe('systemd');
    expect(resolveInstancesMode(undefined, missing)).toEqual({
      mode: 'process',
      why: 'systemd mode needs systemd-nspawn',
    });
    expect(resolveInstancesMode('process', missing).mode).toBe('process');
  });

  it('refuses systemd where it cannot run, with the install command, and an unknown mode', () => {
    expect(() => resolveInstancesMode('systemd', missing)).toThrow(
      /systemd-nspawn: not installed.*apt-get install systemd-container debootstrap/,
    );
    expect(() => resolveInstancesMode('docker', ok)).toThrow('--instances docker: must be systemd or process');
  });
});
