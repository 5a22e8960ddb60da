// One `sandbox up` at a time per folder: two commands given --env sandbox at once must not both
// start moto. A lock file naming its holder; a holder that died leaves a lock anyone may take.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isSameProcess, processStartTime } from '../process.js';

export async function withUpLock<T>(
  file: string,
  work: () => Promise<T>,
  options: { timeoutMs?: number; onWait?: (holder: number) => void; signal?: AbortSignal } = {},
): Promise<T> {
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = JSON.parse((await readFile(file, 'utf8').catch(() => '{}')) || '{}') as {
        pid?: number;
        startTime?: string;
      };
      if (!holder.pid || !isSameProcess({ pid: holder.pid, startTime: holder.startTime })) {
        await rm(file, { force: true });
        continue;
      }
      if (!told) options.onWait?.(holder.pid);
      told = true;
      if (Date.now() > deadline)
        throw new Error(`another "ydeploy sandbox up" (pid ${holder.pid}) has held ${file} for too long`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(file, { force: true });
  }
}
