// RemoteExec over SSM Run Command (AWS-RunShellScript): send, then poll the invocation.
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  CancelCommandCommand,
  SSMClient,
  type GetCommandInvocationCommandOutput,
} from '@aws-sdk/client-ssm';
import type { CommandResult, PingStatus, RemoteExec } from '../../ports.js';
import { clientConfig, type AwsSettings } from './config.js';
import { aws, toApiError } from './errors.js';

const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied']);

export class SsmRemoteExec implements RemoteExec {
  private readonly client: SSMClient;

  constructor(settings: AwsSettings, private readonly pollMs = 250) {
    this.client = new SSMClient(clientConfig(settings));
  }

  async online(instanceIds: string[]): Promise<Map<string, PingStatus>> {
    const result = new Map<string, PingStatus>(instanceIds.map((id) => [id, 'Unknown']));
    if (!instanceIds.length) return result;
    let NextToken: string | undefined;
    do {
      const page = await aws('cannot read SSM instance information', () =>
        this.client.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: instanceIds }], NextToken })),
      );
      for (const info of page.InstanceInformationList ?? []) {
        if (info.InstanceId && result.has(info.InstanceId)) result.set(info.InstanceId, (info.PingStatus ?? 'Unknown') as PingStatus);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return result;
  }

  async run(instanceId: string, commands: string[], options: { timeoutSeconds?: number; comment?: string; signal?: AbortSignal } = {}): Promise<CommandResult> {
    const timeoutSeconds = Math.max(30, options.timeoutSeconds ?? 60);
    const sent = await aws(`cannot send a command to ${instanceId}`, () =>
      this.client.send(
        new SendCommandCommand({
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
    for (;;) {
      if (options.signal?.aborted) {
        await this.client.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] })).catch(() => undefined);
        throw options.signal.reason;
      }
      const invocation = await this.invocation(commandId, instanceId, options.signal);
      if (invocation && FINAL.has(invocation.Status ?? '')) return toResult(instanceId, invocation);
      if (Date.now() > deadline) return { instanceId, status: 'TimedOut', exitCode: -1, stdout: invocation?.StandardOutputContent ?? '', stderr: 'no result from SSM in time' };
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async invocation(CommandId: string, InstanceId: string, signal?: AbortSignal): Promise<GetCommandInvocationCommandOutput | undefined> {
    try {
      return await this.client.send(new GetCommandInvocationCommand({ CommandId, InstanceId }), { abortSignal: signal });
    } catch (error) {
      // Right after SendCommand the invocation may not exist yet.
      if ((error as { name?: string }).name === 'InvocationDoesNotExist') return undefined;
      throw toApiError(`cannot read the result of command ${CommandId}`, error);
    }
  }
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
