// How cli/build.mjs bundles the AWS SDK. The SDK is thousands of small modules: loaded from
// node_modules they are most of what a command that calls AWS spends starting (resolving and
// reading each file), bundled they load as a few chunks. Its credential providers (SSO, ini
// files, credential_process, web identity, container and instance metadata) are dynamic imports
// in the SDK, so they become chunks of their own, loaded only when the chain reaches them.

/** The SDK's own packages: bundled, with everything they import. */
const SDK_PACKAGE = /^@(aws-sdk|smithy|aws-crypto)\//;
/** A module inside node_modules: what it imports is bundled with it (only the SDK is bundled). */
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;

/**
 * Whether a bare import is left to node_modules at run time: the CLI's other dependencies are
 * (execa, ora, zod, discord.js ...), the SDK and whatever the SDK imports are not.
 */
export function staysExternal(path, importer) {
  return !SDK_PACKAGE.test(path) && !IN_NODE_MODULES.test(importer);
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
export function awsSdkPlugins() {
  return [
    {
      name: 'bundled-aws-sdk',
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
