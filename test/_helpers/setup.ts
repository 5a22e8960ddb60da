// Every test process: hide the AWS SDK's Node 20 support warning, as the bin shim does.
const emit = process.emitWarning;
process.emitWarning = function (warning: string | Error, ...rest: unknown[]) {
  if (
    /NodeVersionSupportWarning|upgrade to node/.test(String((warning as Error)?.message ?? warning)) ||
    rest.includes('NodeVersionSupportWarning')
  )
    return;
  return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
} as typeof process.emitWarning;

// Sandboxes started by tests boot their instances as processes unless a test asks for systemd
// mode (test/e2e/systemd/): containers are paid for where they are what is tested.
process.env.YDEPLOY_SANDBOX_INSTANCES ??= 'process';
