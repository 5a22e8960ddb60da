// Tests that need terraform or moto fail with this message where they are missing; never skip.
import { execFileSync } from 'node:child_process';

export function requireTool(name: 'terraform' | 'moto_server'): string {
  try {
    const out = execFileSync(name, name === 'terraform' ? ['version', '-json'] : ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out;
  } catch (error) {
    const how = name === 'terraform' ? 'install terraform >= 1.10 on PATH' : 'install moto[server] (pip install "moto[server]") so moto_server is on PATH';
    throw new Error(`${name} is required by this test but was not found: ${(error as Error).message.split('\n')[0]} (${how})`);
  }
}

/** The hashicorp/aws provider mirror on this machine (DESIGN.md §6). */
export function pluginDir(): string {
  return process.env.YDEPLOY_TF_PLUGIN_DIR ?? '/opt/tf-plugins';
}
