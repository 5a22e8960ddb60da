// cli/build-packages.mjs: which imports stay in node_modules, and the SDK's schema modules
// rewritten so esbuild can drop the shapes of commands the CLI never sends.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literalSchemaKeys, SCHEMA_MODULE, staysExternal } from '../../../cli/build-packages.mjs';

const own = '/repo/cli/adapters/aws/ec2.ts';
const sdkFile = '/repo/node_modules/@aws-sdk/client-ec2/dist-es/EC2Client.js';

describe('staysExternal', () => {
  it('bundles the AWS SDK and the pure-JavaScript dependencies the CLI imports', () => {
    for (const path of ['@aws-sdk/client-ec2', '@smithy/core/client', '@aws-crypto/crc32', 'zod', 'execa', 'ms'])
      expect(staysExternal(path, own), path).toBe(false);
  });

  it('bundles whatever a bundled package imports', () => {
    expect(staysExternal('fast-xml-parser', sdkFile)).toBe(false);
    expect(staysExternal('tslib', '/repo/node_modules/execa/index.js')).toBe(false);
  });

  it('leaves the packages with native add-ons, workers or binaries in node_modules', () => {
    for (const path of ['discord.js', 'ws', 'pino', 'esbuild', 'typescript', 'zodiac', 'ms-rest'])
      expect(staysExternal(path, own), path).toBe(true);
  });
});

describe('literalSchemaKeys', () => {
  it('writes computed keys naming string constants as literal keys, and nothing else', () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _xN = "xmlName";',
      'const _n = computeName();',
      'export var Instance$ = [3, n0, _In, 0, [_Arc], [[0, { [_eQN]: `Architecture`, [_xN]: _arc }]]];',
      'export var Other$ = [3, n0, _O, 0, [_n], [[0, { [_n]: 1 }]]];',
    ].join('\n');
    const out = literalSchemaKeys(source);
    expect(out).toContain('{ "ec2QueryName": `Architecture`, "xmlName": _arc }');
    expect(out).toContain('{ [_n]: 1 }');
    expect(out.split('\n').slice(0, 3)).toEqual(source.split('\n').slice(0, 3));
  });

  it("leaves EC2's schema module evaluating to the same shapes", async () => {
    const require = createRequire(import.meta.url);
    const path = join(dirname(require.resolve('@aws-sdk/client-ec2/package.json')), 'dist-es/schemas/schemas_0.js');
    expect(SCHEMA_MODULE.test(path)).toBe(true);
    const source = await readFile(path, 'utf8');
    const rewritten = literalSchemaKeys(source);
    // Every computed key of the module names a string constant: none is left.
    expect(source).toMatch(/\[_\w+\]:/);
    expect(rewritten).not.toMatch(/\[_\w+\]:/);
    // The module evaluated with stand-ins for its two imports; functions compared by their source.
    const shapes = (text: string) => {
      const body = text.replace(/^import .*$/gm, '').replace(/^export /gm, '');
      const registry = class {
        registerError() {}
      };
      const all = new Function('TypeRegistry', 'EC2ServiceException', `${body}; return { Instance$, Subnet$ };`);
      return JSON.stringify(all(registry, class {}), (_key, value) =>
        typeof value === 'function' ? String(value) : value,
      );
    };
    expect(shapes(rewritten)).toBe(shapes(source));
    expect(shapes(rewritten)).toContain('"ec2QueryName":"Architecture"');
  });
});
