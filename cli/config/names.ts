// Names the terraform module derives from the project and the environment, computed the same way
// here (terraform/main.tf's locals are the other side). Keep this file free of runtime imports.

/**
 * The instances' log group, `/ec2/<project>-<environment>-logs` (the guide's
 * `/ec2/yourdiscord-main-logs`): two projects with the same environment name get two groups.
 */
export function logGroupName(env: { project: string; name: string }): string {
  return `/ec2/${env.project}-${env.name}-logs`;
}
