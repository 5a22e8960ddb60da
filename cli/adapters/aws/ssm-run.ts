// RemoteExec over SSM Run Command (AWS-RunShellScript): send, then poll the invocation.
import type { GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
type Sdk = typeof import('./sdk/ssm.js');
import type { CommandResult, PingStatus, RemoteExec } from '../../ports.js';
import { clientConfig, lazyClient, type AwsSettings } from './config.js';
import { aws, toApiError } from './errors.js';

const FINAL = new Set([
  'Success',
  'Failed',
  'TimedOut',
  'Cancelled',
  'Undeliverable',
  'Terminated',
  'InvalidPlatform',
  'AccessDenied',
]);

export class SsmRemoteExec implements RemoteExec {
  private readonly api: () => Promise<{ sdk: Sdk; client: InstanceType<Sdk['SSMClient']> }>;

  constructor(
    settings: AwsSettings,
    private readonly pollMs = 250,
  ) {
    this.api = lazyClient(
      () => import('./sdk/ssm.js'),
      (sdk) => new sdk.SSMClient(clientConfig(settings, 'ssm')),
    );
  }

  async online(instanceIds: string[]): Promise<Map<string, PingStatus>> {
    const { sdk, client } = await this.api();
    const result = new Map<string, PingStatus>(instanceIds.map((id) => [id, 'Unknown']));
    if (!instanceIds.length) return result;
    let NextToken: string | undefined;
    do {
      const page = await aws('cannot read SSM instance information', () =>
        client.send(
          new sdk.DescribeInstanceInformationCommand({
            Filters: [{ Key: 'InstanceIds', Values: instanceIds }],
            NextToken,
          }),
        ),
      );
      for (const info of page.InstanceInformationList ?? []) {
        if (info.InstanceId && result.has(info.InstanceId))
          result.set(info.InstanceId, (info.PingStatus ?? 'Unknown') as PingStatus);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return result;
  }

  async run(
    instanceId: string,
    commands: string[],
    options: { timeoutSeconds?: number; comment?: string; signal?: AbortSignal } = {},
  ): Promise<CommandResult> {
    const { sdk, client } = await this.api();
    const timeoutSeconds = Math.max(30, options.timeoutSeconds ?? 60);
    const sent = await aws(`cannot send a command to ${instanceId}`, () =>
      client.send(
        new sdk.SendCommandCommand({
          InstanceIds: [instanceId],
          DocumentName: 'AWS-RunShellScript',
          Parameters: { commands, executionTimeout: [String(timeoutSeconds)] },
          TimeoutSeconds: timeoutSeconds,
          Comment: options.comment?.slice(0, 100),
        }),
        { abortSignal: options.signal },
      ),
    );
    const commandId = sent.Command!.CommandId!;
    const deadline = Date.now() + (timeoutSeconds + 30) * 1000;
    for (let round = 0; ; round++) {
      if (options.signal?.aborted) {
        await client
          .send(new sdk.CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }))
          .catch(() => undefined);
        throw options.signal.reason;
      }
      const invocation = await this.invocation(commandId, instanceId, options.signal);
      if (invocation && FINAL.has(invocation.Status ?? '')) return toResult(instanceId, invocation);
      if (Date.now() > deadline)
        return {
          instanceId,
          status: 'TimedOut',
          exitCode: -1,
          stdout: invocation?.StandardOutputContent ?? '',
          stderr: 'no result from SSM in time',
        };
      await new Promise((r) => setTimeout(r, pollDelay(round, this.pollMs)));
    }
  }

  private async invocation(
    CommandId: string,
    InstanceId: string,
    signal?: AbortSignal,
  ): Promise<GetCommandInvocationCommandOutput | undefined> {
    const { sdk, client } = await this.api();
    try {
      return await client.send(new sdk.GetCommandInvocationCommand({ CommandId, InstanceId }), { abortSignal: signal });
    } catch (error) {
      // Right after SendCommand the invocation may not exist yet.
      if ((error as { name?: string }).name === 'InvocationDoesNotExist') return undefined;
      throw toApiError(`cannot read the result of command ${CommandId}`, error);
    }
  }
}

/**
 * The wait before the next look at an invocation: short at first, since a quick command (a health
 * probe is one curl) is often done within a hundred milliseconds of delivery, then `pollMs`.
 */
export function pollDelay(round: number, pollMs: number): number {
  return Math.min(pollMs, 50 * 2 ** round);
}

function toResult(instanceId: string, invocation: GetCommandInvocationCommandOutput): CommandResult {
  return {
    instanceId,
    status: invocation.Status as CommandResult['status'],
    exitCode: invocation.ResponseCode ?? -1,
    stdout: invocation.StandardOutputContent ?? '',
    stderr: invocation.StandardErrorContent ?? '',
  };
}
