// examples/github-actions/deploy.yml: the workflow the README points CI users to. Parsed as YAML
// and checked for what makes it safe: a tag trigger, OIDC instead of stored AWS keys, one
// deployment per environment at a time, and the non-interactive deploy command.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const text = readFileSync(`${root}examples/github-actions/deploy.yml`, 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  permissions?: Record<string, string>;
  environment?: string;
  steps: Step[];
}
interface Workflow {
  on: { push?: { tags?: string[]; branches?: string[] } };
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(text) as Workflow;
const [job] = Object.values(workflow.jobs);
const uses = (action: string) => job.steps.find((s) => s.uses?.split('@')[0] === action);
const runs = () => job.steps.flatMap((s) => (s.run ? [s.run] : []));

describe('examples/github-actions/deploy.yml', () => {
  it('deploys on a tag push, not on branches', () => {
    expect(workflow.on.push?.tags).toEqual(['v*']);
    expect(workflow.on.push?.branches).toBeUndefined();
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
  });

  it('assumes an AWS role through OIDC, with no stored AWS keys', () => {
    expect({ ...workflow.permissions, ...job.permissions }['id-token']).toBe('write');
    const aws = uses('aws-actions/configure-aws-credentials');
    expect(aws?.with?.['role-to-assume']).toMatch(/^\$\{\{ vars\.\w+ \}\}$/);
    expect(aws?.with?.['aws-region']).toBeTruthy();
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
  });

  it('sets up node 20 and installs with npm ci before deploying', () => {
    expect(uses('actions/setup-node')?.with?.['node-version']).toBe(20);
    const commands = runs();
    const install = commands.indexOf('npm ci');
    const deploy = commands.findIndex((c) => c.includes('ydeploy deploy'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(deploy).toBeGreaterThan(install);
  });

  it('runs the deploy without prompts, with machine output, on the environment of its concurrency group', () => {
    const deploy = runs().find((c) => c.includes('ydeploy deploy'))!;
    expect(deploy).toMatch(/^npx ydeploy deploy --env prod --yes --json\b/);
    expect(job.concurrency).toEqual({ group: 'ydeploy-prod', 'cancel-in-progress': false });
    expect(job.environment).toBe('prod');
  });

  it('runs the terraform binary itself, not a wrapper that rewrites its output', () => {
    expect(uses('hashicorp/setup-terraform')?.with?.terraform_wrapper).toBe(false);
  });
});
