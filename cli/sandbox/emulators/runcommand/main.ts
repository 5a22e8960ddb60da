// The Run Command shim as a sandbox daemon: `node main.js <sandbox dir>`.
import { sandboxFiles } from '../../layout.js';
import { startRunCommandShim } from './server.js';
import { writeUnitTools } from './unit-tools.js';
import { baseEnv, daemonState, fatal, log, onStop } from '../daemon.js';

try {
  const { dir, state } = await daemonState('shim');
  const files = sandboxFiles(dir);
  await writeUnitTools(files.bin);
  const shim = await startRunCommandShim({
    port: state.ports.shim,
    motoEndpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    instancesFile: files.instances,
    binDir: files.bin,
    baseEnv: baseEnv(),
  });
  log(`Run Command shim listening on ${shim.url} (moto at ${state.endpoints.aws})`);
  onStop(() => shim.close());
} catch (error) {
  fatal(error);
}
