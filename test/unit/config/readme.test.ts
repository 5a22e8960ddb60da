// README.md's configuration reference is generated from the schema; this keeps them in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../../cli/config/schema.js';

describe('README.md', () => {
  it('contains the generated config reference verbatim between its markers', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const match = /<!-- config-reference:start -->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme);
    expect(match, 'README.md needs <!-- config-reference:start --> ... <!-- config-reference:end -->').not.toBeNull();
    expect(match![1].trim()).toBe(configReference().trim());
  });

  it('the reference names every key with its default', () => {
    const reference = configReference();
    for (const key of [
      'project',
      'defaultEnvironment',
      'environments.<name>.stateBucket',
      'environments.<name>.terraform.pluginDir',
      'environments.<name>.health.gateTimeout',
    ]) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
    expect(reference).toContain('| `environments.<name>.health.port` | integer | `3000` |');
  });
});
