import { describe, expect, it } from 'vitest';
import {
  applyArgs,
  destroyArgs,
  encodeVar,
  hcl,
  initArgs,
  outputArgs,
  planArgs,
  validateArgs,
  varArgs,
  versionArgs,
} from '../../../../cli/adapters/terraform/argv.js';

describe('initArgs', () => {
  it('is non-interactive with the machine-readable UI', () => {
    expect(initArgs()).toEqual(['init', '-input=false', '-no-color', '-json']);
  });

  it('passes backend config pairs, the plugin dir and -reconfigure', () => {
    expect(
      initArgs({
        backendConfig: {
          bucket: 'acme-state',
          key: 'ydeploy/production/terraform.tfstate',
          region: 'eu-west-1',
          use_lockfile: 'true',
        },
        pluginDir: '/opt/tf-plugins',
        reconfigure: true,
      }),
    ).toEqual([
      'init',
      '-input=false',
      '-no-color',
      '-json',
      '-backend-config=bucket=acme-state',
      '-backend-config=key=ydeploy/production/terraform.tfstate',
      '-backend-config=region=eu-west-1',
      '-backend-config=use_lockfile=true',
      '-plugin-dir=/opt/tf-plugins',
      '-reconfigure',
    ]);
  });
});

describe('planArgs', () => {
  it('asks for -detailed-exitcode', () => {
    expect(planArgs()).toEqual(['plan', '-input=false', '-no-color', '-json', '-detailed-exitcode']);
  });

  it('puts var files before vars, so vars win', () => {
    expect(
      planArgs({
        destroy: true,
        out: 'tfplan',
        varFiles: ['base.tfvars', '/state/desired.json'],
        vars: { release_version: 'v2', use_private_subnet: true },
      }),
    ).toEqual([
      'plan',
      '-input=false',
      '-no-color',
      '-json',
      '-detailed-exitcode',
      '-destroy',
      '-out=tfplan',
      '-var-file=base.tfvars',
      '-var-file=/state/desired.json',
      '-var',
      'release_version=v2',
      '-var',
      'use_private_subnet=true',
    ]);
  });
});

describe('applyArgs and destroyArgs', () => {
  it('apply auto-approves with vars', () => {
    expect(applyArgs({ varFiles: ['d.json'], vars: { instance_type: 't3.small', health_port: 3000 } })).toEqual([
      'apply',
      '-input=false',
      '-no-color',
      '-json',
      '-auto-approve',
      '-var-file=d.json',
      '-var',
      'instance_type=t3.small',
      '-var',
      'health_port=3000',
    ]);
  });

  it('apply of a saved plan passes no variables', () => {
    expect(applyArgs({ planFile: 'tfplan', vars: { ignored: 'x' } })).toEqual([
      'apply',
      '-input=false',
      '-no-color',
      '-json',
      '-auto-approve',
      'tfplan',
    ]);
  });

  it('destroy auto-approves with vars', () => {
    expect(destroyArgs({ vars: { environment: 'sandbox' } })).toEqual([
      'destroy',
      '-input=false',
      '-no-color',
      '-json',
      '-auto-approve',
      '-var',
      'environment=sandbox',
    ]);
  });
});

describe('the other commands', () => {
  it('output, validate and version speak JSON', () => {
    expect(outputArgs()).toEqual(['output', '-no-color', '-json']);
    expect(outputArgs('network_configuration')).toEqual(['output', '-no-color', '-json', 'network_configuration']);
    expect(validateArgs()).toEqual(['validate', '-no-color', '-json']);
    expect(versionArgs()).toEqual(['version', '-json']);
  });
});

describe('variable encoding', () => {
  it('passes strings raw (terraform takes string variables literally)', () => {
    expect(encodeVar('v1.2.3')).toBe('v1.2.3');
    expect(encodeVar('has "quotes" and ${not_interpolated}')).toBe('has "quotes" and ${not_interpolated}');
  });

  it('encodes numbers and booleans', () => {
    expect(encodeVar(3000)).toBe('3000');
    expect(encodeVar(1.5)).toBe('1.5');
    expect(encodeVar(false)).toBe('false');
  });

  it('encodes lists and maps as HCL', () => {
    expect(encodeVar(['arn:aws:sns:us-east-1:1:a', 'b'])).toBe('["arn:aws:sns:us-east-1:1:a", "b"]');
    expect(encodeVar({ Team: 'bots', 'cost-center': 42, nested: { on: true, list: [] } })).toBe(
      '{"Team" = "bots", "cost-center" = 42, "nested" = {"on" = true, "list" = []}}',
    );
  });

  it('escapes strings inside HCL so templates stay literal', () => {
    expect(hcl('a${b}c%{d}')).toBe('"a$${b}c%%{d}"');
    expect(hcl('line\nnext\t"q" \\ \u0001')).toBe('"line\\nnext\\t\\"q\\" \\\\ \\u0001"');
    expect(hcl([null, 'x'])).toBe('[null, "x"]');
  });

  it('refuses a top-level null, which -var cannot say', () => {
    expect(() => encodeVar(null)).toThrow(/var-file/);
    expect(() => encodeVar(Number.NaN)).toThrow(/not a number/);
  });

  it('varArgs pairs each variable with its own -var', () => {
    expect(varArgs({ vars: { alarm_actions: [], tags: { a: 'b' } } })).toEqual([
      '-var',
      'alarm_actions=[]',
      '-var',
      'tags={"a" = "b"}',
    ]);
  });
});
