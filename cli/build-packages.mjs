// Which packages cli/build.mjs bundles into dist/cli, and how. Loading a package from
// node_modules costs a resolution and a file read per module: the AWS SDK is thousands of small
// modules (most of what a command that calls AWS spent starting), zod ninety-five (every locale),
// execa a hundred. Bundled they load as a few chunks. The SDK's credential providers (SSO, ini
// files, credential_process, web identity, container and instance metadata) are dynamic imports
// in the SDK, so they become chunks of their own, loaded only when the chain reaches them.

/**
 * Bundled, with everything they import: the AWS SDK and the CLI's pure-JavaScript dependencies.
 * Left in node_modules: discord.js and ws (optional native add-ons), pino (starts workers from
 * its own files), esbuild (a binary) and typescript (the build's, never a command's).
 */
const BUNDLED = /^(@(aws-sdk|smithy|aws-crypto)\/|(zod|execa|ms|chalk|cli-table3|asciichart|ora)(\/|$))/;
/** A module inside node_modules: what it imports is bundled with it (only bundled packages are seen). */
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;

/** Whether a bare import is left to node_modules at run time (see BUNDLED). */
export function staysExternal(path, importer) {
  return !BUNDLED.test(path) && !IN_NODE_MODULES.test(importer);
}

/** A generated schema module of an AWS SDK client (also the nested clients of credential providers). */
export const SCHEMA_MODULE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/**
 * A client's schema module declares every shape of the service (EC2's is a megabyte), and esbuild
 * keeps every one of them: their trait objects use computed keys (`{ [_xN]: _arc }`, `_xN` a
 * module constant holding "xmlName"), which it must assume may run code. Written with the
 * constant's string literal as the key (`{ "xmlName": _arc }`, the same object), each shape is a
 * pure declaration, and only the shapes of the commands the CLI imports stay in the bundle.
 * Constants that are not plain string literals are left as they were.
 */
export function literalSchemaKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name, literal);
  return source.replace(/\[(_\w+)\]:/g, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
}

/** esbuild plugins: which packages are bundled, and the SDK's schemas made tree-shakable. */
export function bundledPackages() {
  return [
    {
      name: 'bundled-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, ({ path, importer }) =>
          staysExternal(path, importer) ? { external: true } : undefined,
        );
      },
    },
    {
      name: 'tree-shakable-aws-sdk-schemas',
      setup(b) {
        b.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => {
          const { readFile } = await import('node:fs/promises');
          return { contents: literalSchemaKeys(await readFile(path, 'utf8')), loader: 'js' };
        });
      },
    },
  ];
}
