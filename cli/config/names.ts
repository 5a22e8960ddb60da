// Names the terraform module derives from the project and the environment, computed the same way
// here (terraform/main.tf's locals are the other side). Keep this file free of runtime imports.

/**
 * The instances' log group, `/ec2/<project>-<environment>-logs` (the guide's
 * `/ec2/yourdiscord-main-logs`): two projects with the same environment name get two groups.
 * `terraform.vars.log_group_name` names another one (the module's variable of that name), e.g.
 * to keep the group an earlier ydeploy created.
 */
export function logGroupName(env: {
  project: string;
  name: string;
  terraform?: { vars?: Record<string, unknown> };
}): string {
  const chosen = env.terraform?.vars?.log_group_name;
  return typeof chosen === 'string' && chosen !== '' ? chosen : `/ec2/${env.project}-${env.name}-logs`;
}

/**
 * The SSM parameter holding the environment's Discord webhook URL: `notify.webhookParameter`, else
 * `/<project>/<environment>/notify/discord-webhook`.
 */
export function webhookParameter(env: {
  project: string;
  name: string;
  notify?: { webhookParameter?: string };
}): string {
  return env.notify?.webhookParameter ?? `/${env.project}/${env.name}/notify/discord-webhook`;
}

/**
 * The namespace of the environment's own metrics, `ydeploy/<project>/<environment>`
 * (terraform/logs.tf `metric_namespace`): the health-failure metric filter publishes there, and
 * the health server's embedded metrics (HealthResponseTime, Unhealthy) too.
 */
export function metricNamespace(env: { project: string; name: string }): string {
  return `ydeploy/${env.project}/${env.name}`;
}
