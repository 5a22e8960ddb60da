// Puts `systemctl` and `journalctl` on the PATH of the commands the shim runs.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { programCommand } from '../../programs.js';

export async function writeUnitTools(binDir: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const command = programCommand('unitctl').map(quote).join(' ');
  for (const tool of ['systemctl', 'journalctl']) {
    const file = join(binDir, tool);
    await writeFile(
      file,
      `#!/bin/sh\n# ydeploy sandbox: ${tool} answered from the instance host's state\nexec ${command} ${tool} "$@"\n`,
    );
    await chmod(file, 0o755);
  }
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
