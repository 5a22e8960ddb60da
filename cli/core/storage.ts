// Where ydeploy keeps an environment's objects in S3 (DESIGN.md §4.5), written once: the state
// bucket holds terraform's state, lock.json, desired.json and the journal under ydeploy/<env>/;
// the release bucket holds releases/<version>/.
export const keys = {
  prefix: (env: string) => `ydeploy/${env}/`,
  terraformState: (env: string) => `ydeploy/${env}/terraform.tfstate`,
  lock: (env: string) => `ydeploy/${env}/lock.json`,
  desired: (env: string) => `ydeploy/${env}/desired.json`,
  journalDir: (env: string) => `ydeploy/${env}/journal/`,
  journal: (env: string, id: string) => `ydeploy/${env}/journal/${id}.json`,
  releaseDir: (version: string) => `releases/${version}/`,
  release: (version: string, file: string) => `releases/${version}/${file}`,
  manifest: (version: string) => `releases/${version}/manifest.json`,
};

/**
 * terraform's S3 backend for an environment (the module's backend block is partial): its state
 * in the state bucket, encrypted at rest, locked with terraform's own lock file. Emulators
 * (moto, the sandbox) answer S3 path-style only.
 */
export function backendConfig(
  env: { name: string; stateBucket: string; region: string },
  options: { pathStyle: boolean },
): Record<string, string> {
  return {
    bucket: env.stateBucket,
    key: keys.terraformState(env.name),
    region: env.region,
    use_lockfile: 'true',
    encrypt: 'true',
    ...(options.pathStyle ? { use_path_style: 'true' } : {}),
  };
}
