// The log group follows the guide's example, /ec2/<project>-<environment>-logs, so two projects
// with an environment of the same name never share one; the module names it the same way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logGroupName } from '../../../cli/config/names.js';

describe('logGroupName', () => {
  it("is the guide's /ec2/yourdiscord-main-logs for project yourdiscord, environment main", () => {
    expect(logGroupName({ project: 'yourdiscord', name: 'main' })).toBe('/ec2/yourdiscord-main-logs');
  });

  it('differs between two projects with the same environment name', () => {
    expect(logGroupName({ project: 'dice', name: 'production' })).not.toBe(
      logGroupName({ project: 'quiz', name: 'production' }),
    );
  });

  it('is what terraform/main.tf names the group (project-environment, as local.name)', () => {
    const main = readFileSync(new URL('../../../terraform/main.tf', import.meta.url), 'utf8');
    expect(main).toMatch(/^\s*name\s*=\s*"\$\{var\.project\}-\$\{var\.environment\}"\s*$/m);
    expect(main).toMatch(
      /^\s*log_group_name\s*=\s*var\.log_group_name != "" \? var\.log_group_name : "\/ec2\/\$\{local\.name\}-logs"\s*$/m,
    );
  });

  it('is terraform.vars.log_group_name when the environment sets it (an existing group kept)', () => {
    const env = {
      project: 'dice',
      name: 'production',
      terraform: { vars: { log_group_name: '/ec2/production-logs' } },
    };
    expect(logGroupName(env)).toBe('/ec2/production-logs');
    expect(logGroupName({ ...env, terraform: { vars: { log_group_name: '' } } })).toBe('/ec2/dice-production-logs');
  });
});
