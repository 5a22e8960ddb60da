// The result of a flow command (migrate, deploy, rollback) for --json: what ran, where, the
// journal id, and the state it left.
export function flowResult(
  result: { deploymentId?: string; state: object; dryRun?: unknown },
  env: string,
): Record<string, unknown> {
  return {
    ok: true,
    environment: env,
    ...(result.deploymentId ? { deploymentId: result.deploymentId } : {}),
    ...(result.dryRun ? { dryRun: result.dryRun } : {}),
    state: result.state,
  };
}
