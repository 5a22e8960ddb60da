// The instance host as a sandbox daemon: `node main.js <sandbox dir>`.
import { logGroupName, metricNamespace } from '../../../config/names.js';
import { InstanceHost } from './host.js';
import { MachineHost } from '../machine/machine-host.js';
import { baseEnv, daemonState, fatal, log, onStop } from '../daemon.js';

try {
  const { dir, state } = await daemonState('host');
  const host = new InstanceHost({
    dir,
    project: state.project,
    region: state.region,
    motoEndpoint: state.endpoints.aws,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    releaseBucket: state.releaseBucket,
    tokenParameter: state.tokenParameter,
    // Derived, not read from the state: a sandbox created before the name included the project
    // ships where terraform's module now puts the group.
    logGroup: logGroupName({ project: state.project, name: state.environment }),
    metricNamespace: metricNamespace({ project: state.project, name: state.environment }),
    discordApi: state.endpoints.discordApi,
    healthPortBase: state.ports.healthBase,
    baseEnv: baseEnv(),
    machines:
      state.instances === 'systemd'
        ? new MachineHost({
            dir,
            region: state.region,
            credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
            endpoints: { aws: state.endpoints.aws, ssm: state.endpoints.ssm },
            relayedPorts: [state.ports.moto, state.ports.shim, state.ports.discord],
            log,
          })
        : undefined,
    log,
  });
  onStop(() => host.stop());
  log(
    `instance host (${state.instances ?? 'process'} mode) watching EC2 at ${state.endpoints.aws} for ${state.project}/${state.environment} instances`,
  );
  await host.start();
} catch (error) {
  fatal(error);
}
