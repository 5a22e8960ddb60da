// The bundled terraform module against a moto of its own: one full apply from nothing (network,
// NAT, logs, KMS, alarms, legacy + enhanced instances; target ≤ 60 s), the converged plan, and
// the apply that starts a candidate release beside the serving one.
import { startMoto } from '../_helpers/moto.js';
import { ModuleCopy } from '../_helpers/terraform.js';
import {
  clients,
  createStateBucket,
  putToken,
  REGION,
  STATE_BUCKET,
  stopAll,
} from '../integration/terraform-module/aws.js';
import type { BenchResult } from './run.js';

export default async function (): Promise<BenchResult[]> {
  const moto = await startMoto();
  const aws = clients(moto);
  const module = await ModuleCopy.create();
  try {
    await createStateBucket(aws);
    const vars = {
      environment: 'bench',
      region: REGION,
      release_bucket: STATE_BUCKET,
      release_version: 'v1',
      discord_token_parameter: '/ydeploy/bench/discord-token',
      enable_legacy_instance: true,
      aws_compat_endpoint: true,
    };
    await putToken(aws, vars.discord_token_parameter);
    const stack = module.stack('bench', moto.env);
    const init = await stack.init({ bucket: STATE_BUCKET, key: 'ydeploy/bench/terraform.tfstate', region: REGION });
    const apply = await stack.apply(vars);
    const plan = await stack.planExitCode(vars);
    if (plan.exitCode !== 0)
      throw new Error(`the plan after the apply is not empty (exit ${plan.exitCode}): ${plan.stdout.slice(-2000)}`);
    const candidate = await stack.apply({ ...vars, candidate_release_version: 'v2' });
    return [
      { name: 'terraform init (S3 backend in moto, provider mirror)', value: init.seconds, unit: 's' },
      {
        name: 'full apply from nothing: network + logs + alarms + 2 instances',
        value: apply.seconds,
        unit: 's',
        target: '≤ 60 s',
        pass: apply.seconds <= 60,
      },
      { name: 'plan of the converged state (no changes)', value: plan.seconds, unit: 's' },
      {
        name: 'apply adding a candidate release instance',
        value: candidate.seconds,
        unit: 's',
        detail: 'the provider waits ~10 s for each instance',
      },
    ];
  } finally {
    stopAll(aws);
    await moto.stop();
    await module.cleanup();
  }
}
