#!/usr/bin/env node
// The only place that calls process.exit: runs the built CLI and exits with its code.
import module from 'node:module';

// Node 22.1+ keeps V8's compiled code of the CLI's chunks between runs (in the OS temp folder):
// compiling them is most of what a command spends before its first request. Node 20 has no cache.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// The AWS SDK warns about Node 20 on every client; users act on it once, not on every command.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (
    type === 'NodeVersionSupportWarning' ||
    /NodeVersionSupportWarning|no longer support Node/.test(String(warning?.message ?? warning))
  )
    return;
  return emitWarning.call(process, warning, ...rest);
};

// Writes to a pipe are asynchronous: exit only once stdout and stderr have flushed, or the end
// of a long output (ydeploy logs | ...) is lost.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve));

main(process.argv.slice(2), { trapSignals: true }).then(
  (code) => Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code)),
  (error) => {
    process.stderr.write(`ydeploy crashed: ${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
