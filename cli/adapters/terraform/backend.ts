// Whether `terraform init` may reconfigure its backend without moving state. terraform refuses
// an init whose -backend-config differs from the one its data dir recorded ("Backend
// configuration changed") unless told -reconfigure or -migrate-state. When the state stays in
// the same bucket under the same key (only settings such as `encrypt` changed), -reconfigure is
// safe: nothing needs migrating. A different bucket or key keeps terraform's own refusal.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function reconfigureKeepsState(
  dataDir: string,
  backendConfig: Record<string, string> | undefined,
): Promise<boolean> {
  if (!backendConfig) return false;
  let saved: { backend?: { type?: string; config?: Record<string, unknown> } };
  try {
    saved = JSON.parse(await readFile(join(dataDir, 'terraform.tfstate'), 'utf8'));
  } catch {
    return false; // never initialized (or unreadable): a plain init decides
  }
  const config = saved.backend?.config;
  if (saved.backend?.type !== 's3' || !config) return false;
  return config.bucket === backendConfig.bucket && config.key === backendConfig.key;
}
