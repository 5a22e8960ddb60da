import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reconfigureKeepsState } from '../../../../cli/adapters/terraform/backend.js';

const saved = (config: Record<string, unknown>) => {
  const dir = mkdtempSync(join(tmpdir(), 'ydb-tfdata-'));
  writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify({ backend: { type: 's3', config } }));
  return dir;
};

describe('terraform init after the backend settings changed', () => {
  const backend = { bucket: 'acme-state', key: 'ydeploy/prod/terraform.tfstate', encrypt: 'true' };

  it('reconfigures when the state stays in the same bucket under the same key (e.g. encrypt added)', async () => {
    expect(await reconfigureKeepsState(saved({ bucket: 'acme-state', key: backend.key, encrypt: null }), backend)).toBe(
      true,
    );
  });

  it('leaves a moved state, a first init and no backend to terraform', async () => {
    expect(await reconfigureKeepsState(saved({ bucket: 'old-state', key: backend.key }), backend)).toBe(false);
    expect(await reconfigureKeepsState(saved({ bucket: 'acme-state', key: 'other' }), backend)).toBe(false);
    expect(await reconfigureKeepsState(mkdtempSync(join(tmpdir(), 'ydb-tfdata-')), backend)).toBe(false);
    expect(await reconfigureKeepsState(saved({ bucket: 'acme-state', key: backend.key }), undefined)).toBe(false);
  });
});
