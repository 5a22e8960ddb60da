// What ydeploy needs from the tools it runs, stated once: the terraform runner enforces it and
// preflight reports it.

/** 1.10 is the first terraform whose S3 backend locks with `use_lockfile` (no DynamoDB table). */
export const MIN_TERRAFORM_VERSION = '1.10.0';

/** -1, 0 or 1, comparing major.minor.patch (pre-release suffixes ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  }
  return 0;
}
