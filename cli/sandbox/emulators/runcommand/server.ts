// The sandbox's SSM endpoint (AWS_ENDPOINT_URL_SSM). It answers the Run Command calls itself,
// since moto runs nothing and answers several of them with 500, and forwards every other SSM call
// (GetParameter, PutParameter, ...) to moto unchanged. Only the sandbox's own key gets in.
import {
  request as httpRequest,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { readJson, type HostedInstance, type InstancesState } from '../../state-files.js';
import { agentOffline, CommandRunner, type CommandRecord, type Invocation } from './commands.js';
import { verifySigV4, type Credentials } from './sigv4.js';

export interface ShimOptions {
  port: number;
  host?: string;
  motoEndpoint: string;
  credentials: Credentials;
  /** The instance host's instances.json: which instances exist and how to reach them. */
  instancesFile: string;
  binDir: string;
  /** Environment of the commands it runs (PATH, HOME, ...) before the instance's own variables. */
  baseEnv: Record<string, string>;
}

export interface RunningShim {
  url: string;
  port: number;
  runner: CommandRunner;
  close(): Promise<void>;
}

class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const OWN = new Set([
  'SendCommand',
  'GetCommandInvocation',
  'ListCommandInvocations',
  'ListCommands',
  'DescribeInstanceInformation',
  'CancelCommand',
]);

export async function startRunCommandShim(options: ShimOptions): Promise<RunningShim> {
  const runner = new CommandRunner({
    binDir: options.binDir,
    instancesFile: options.instancesFile,
    baseEnv: options.baseEnv,
  });
  const instances = instanceReader(options.instancesFile);
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, { __type: 'InternalServerError', message: (error as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method === 'GET' && req.url === '/__ydeploy/health')
      return reply(res, 200, { ok: true, pid: process.pid }, 'application/json');
    const auth = verifySigV4(req.method ?? 'POST', req.url ?? '/', req.headers, body, options.credentials, {
      receivedOn: { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 },
    });
    if (!auth.ok) return reply(res, 403, { __type: auth.code, message: auth.message });
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
    if (!OWN.has(operation)) return forward(req, res, body, options.motoEndpoint);
    let input: Record<string, unknown>;
    try {
      input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'request body is not JSON' });
    }
    try {
      reply(res, 200, await answer(operation, input, runner, await instances()));
    } catch (error) {
      if (error instanceof SsmError) return reply(res, error.status, { __type: error.type, message: error.message });
      throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    runner,
    close: async () => {
      runner.cancelAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(
  operation: string,
  input: Record<string, unknown>,
  runner: CommandRunner,
  hosted: Map<string, HostedInstance>,
): Promise<unknown> {
  switch (operation) {
    case 'SendCommand':
      return { Command: commandView(sendCommand(input, runner, hosted)) };
    case 'GetCommandInvocation': {
      const record = runner.commands.get(String(input.CommandId ?? ''));
      const invocation = record?.invocations.get(String(input.InstanceId ?? ''));
      if (!record || !invocation)
        throw new SsmError(
          'InvocationDoesNotExist',
          'An invocation with the given command id and instance id does not exist',
        );
      return getInvocationView(record, invocation);
    }
    case 'ListCommandInvocations':
      return listInvocations(input, runner);
    case 'ListCommands':
      return listCommands(input, runner);
    case 'CancelCommand': {
      if (!runner.cancel(String(input.CommandId ?? ''), input.InstanceIds as string[] | undefined))
        throw new SsmError('InvalidCommandId', 'The command id is not valid');
      return {};
    }
    case 'DescribeInstanceInformation':
      return describeInstances(input, hosted, runner.instancesFile);
    default:
      throw new SsmError('InvalidAction', `${operation} is not handled by the sandbox shim`);
  }
}

function sendCommand(
  input: Record<string, unknown>,
  runner: CommandRunner,
  hosted: Map<string, HostedInstance>,
): CommandRecord {
  const documentName = String(input.DocumentName ?? '');
  if (documentName !== 'AWS-RunShellScript')
    throw new SsmError(
      'InvalidDocument',
      `document ${documentName || '(none)'} is not supported by the sandbox (only AWS-RunShellScript)`,
    );
  const parameters = (input.Parameters ?? {}) as Record<string, string[]>;
  if (!Array.isArray(parameters.commands) || parameters.commands.length === 0)
    throw new SsmError('InvalidParameters', 'Parameters.commands is required');
  const targets = (input.Targets ?? []) as { Key: string; Values: string[] }[];
  const ids = targetIds((input.InstanceIds ?? []) as string[], targets, hosted);
  if (ids.length === 0)
    throw new SsmError(
      'InvalidInstanceId',
      'no target instance: pass InstanceIds or Targets matching a running instance',
    );
  const missing = ids.filter((id) => !hosted.has(id));
  if (missing.length)
    throw new SsmError('InvalidInstanceId', `Instances [[${missing.join(', ')}]] not in a valid state for account`);
  const executionTimeout = Number(parameters.executionTimeout?.[0] ?? 3600);
  return runner.send(
    {
      documentName,
      comment: String(input.Comment ?? ''),
      parameters,
      instanceIds: ids,
      targets,
      executionTimeout: Number.isFinite(executionTimeout) && executionTimeout > 0 ? executionTimeout : 3600,
      deliveryTimeout: deliveryTimeout(input.TimeoutSeconds),
    },
    ids.map((id) => hosted.get(id)!),
  );
}

/** SendCommand's TimeoutSeconds: 30 to 2,592,000, 3,600 when absent. */
function deliveryTimeout(value: unknown): number {
  if (value === undefined) return 3600;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 30 || seconds > 2_592_000)
    throw new SsmError('ValidationException', `TimeoutSeconds ${String(value)} is not between 30 and 2592000`);
  return seconds;
}

function targetIds(
  instanceIds: string[],
  targets: { Key: string; Values: string[] }[],
  hosted: Map<string, HostedInstance>,
): string[] {
  const ids = new Set(instanceIds);
  for (const target of targets) {
    if (target.Key === 'InstanceIds') target.Values.forEach((v) => ids.add(v));
    else if (target.Key.startsWith('tag:')) {
      const tag = target.Key.slice(4);
      for (const instance of hosted.values())
        if (target.Values.includes(instance.tags[tag] ?? '')) ids.add(instance.id);
    } else throw new SsmError('InvalidTarget', `target key ${target.Key} is not supported by the sandbox`);
  }
  return [...ids];
}

function commandStatus(record: CommandRecord): string {
  const statuses = [...record.invocations.values()].map((i) => i.status);
  if (statuses.some((s) => s === 'Pending')) return statuses.every((s) => s === 'Pending') ? 'Pending' : 'InProgress';
  if (statuses.some((s) => s === 'InProgress')) return 'InProgress';
  for (const s of ['Cancelled', 'TimedOut', 'Failed'] as const) if (statuses.includes(s)) return s;
  return 'Success';
}

function commandView(record: CommandRecord) {
  const invocations = [...record.invocations.values()];
  const done = invocations.filter((i) => i.endedAt);
  return {
    CommandId: record.commandId,
    DocumentName: record.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: record.comment,
    Parameters: record.parameters,
    InstanceIds: record.instanceIds,
    Targets: record.targets,
    RequestedDateTime: seconds(record.requestedAt),
    ExpiresAfter: seconds(new Date(record.requestedAt.getTime() + (record.executionTimeout + 3600) * 1000)),
    Status: commandStatus(record),
    StatusDetails: commandStatus(record),
    TargetCount: invocations.length,
    CompletedCount: done.length,
    ErrorCount: done.filter((i) => i.status !== 'Success').length,
    DeliveryTimedOutCount: invocations.filter((i) => i.details === 'DeliveryTimedOut').length,
    MaxConcurrency: '50',
    MaxErrors: '0',
    TimeoutSeconds: record.executionTimeout,
  };
}

function getInvocationView(record: CommandRecord, invocation: Invocation) {
  return {
    CommandId: record.commandId,
    InstanceId: invocation.instanceId,
    Comment: record.comment,
    DocumentName: record.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: 'aws:runShellScript',
    ResponseCode: invocation.responseCode,
    ExecutionStartDateTime: invocation.startedAt?.toISOString() ?? '',
    ExecutionElapsedTime: elapsed(invocation),
    ExecutionEndDateTime: invocation.endedAt?.toISOString() ?? '',
    Status: invocation.status,
    StatusDetails: invocation.details ?? invocation.status,
    StandardOutputContent: invocation.stdout.slice(0, 24_000),
    StandardOutputUrl: '',
    StandardErrorContent: invocation.stderr.slice(0, 8_000),
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

function listInvocations(input: Record<string, unknown>, runner: CommandRunner) {
  const commandId = input.CommandId as string | undefined;
  const instanceId = input.InstanceId as string | undefined;
  const rows: unknown[] = [];
  for (const record of [...runner.commands.values()].reverse()) {
    if (commandId && record.commandId !== commandId) continue;
    for (const invocation of record.invocations.values()) {
      if (instanceId && invocation.instanceId !== instanceId) continue;
      rows.push({
        CommandId: record.commandId,
        InstanceId: invocation.instanceId,
        InstanceName: '',
        Comment: record.comment,
        DocumentName: record.documentName,
        DocumentVersion: '$DEFAULT',
        RequestedDateTime: seconds(record.requestedAt),
        Status: invocation.status,
        StatusDetails: invocation.details ?? invocation.status,
        StandardOutputUrl: '',
        StandardErrorUrl: '',
        CommandPlugins: input.Details
          ? [
              {
                Name: 'aws:runShellScript',
                Status: invocation.status,
                StatusDetails: invocation.details ?? invocation.status,
                ResponseCode: invocation.responseCode,
                ...(invocation.startedAt ? { ResponseStartDateTime: seconds(invocation.startedAt) } : {}),
                ...(invocation.endedAt ? { ResponseFinishDateTime: seconds(invocation.endedAt) } : {}),
                // SSM's Output is the first 2,500 characters of stdout, then of stderr.
                Output:
                  `${invocation.stdout}${invocation.stderr ? `\n----------ERROR-------\n${invocation.stderr}` : ''}`.slice(
                    0,
                    2500,
                  ),
                StandardOutputUrl: '',
                StandardErrorUrl: '',
              },
            ]
          : [],
      });
    }
  }
  return page(rows, input, 'CommandInvocations');
}

function listCommands(input: Record<string, unknown>, runner: CommandRunner) {
  const commandId = input.CommandId as string | undefined;
  const instanceId = input.InstanceId as string | undefined;
  const rows = [...runner.commands.values()]
    .reverse()
    .filter((r) => (!commandId || r.commandId === commandId) && (!instanceId || r.invocations.has(instanceId)))
    .map(commandView);
  return page(rows, input, 'Commands');
}

function describeInstances(input: Record<string, unknown>, hosted: Map<string, HostedInstance>, instancesFile: string) {
  // A systemd-mode instance's agent is online while its socket is there (it goes when the agent stops).
  const ping = (id: string) => {
    const machine = hosted.get(id)?.machine;
    const offline = agentOffline(instancesFile, id) || (machine !== undefined && !existsSync(machine.agentSocket));
    return offline ? 'ConnectionLost' : 'Online';
  };
  let list = [...hosted.values()];
  const filters = [
    ...((input.Filters ?? []) as { Key: string; Values: string[] }[]),
    ...((input.InstanceInformationFilterList ?? []) as { key: string; valueSet: string[] }[]).map((f) => ({
      Key: f.key,
      Values: f.valueSet,
    })),
  ];
  for (const filter of filters) {
    if (filter.Key === 'InstanceIds') list = list.filter((i) => filter.Values.includes(i.id));
    else if (filter.Key === 'PingStatus') list = list.filter((i) => filter.Values.includes(ping(i.id)));
    else if (filter.Key.startsWith('tag:'))
      list = list.filter((i) => filter.Values.includes(i.tags[filter.Key.slice(4)] ?? ''));
    else if (filter.Key === 'ResourceType') list = list.filter(() => filter.Values.includes('EC2Instance'));
    else if (filter.Key === 'PlatformTypes') list = list.filter(() => filter.Values.includes('Linux'));
  }
  const now = seconds(new Date());
  const rows = list.map((i) => ({
    InstanceId: i.id,
    PingStatus: ping(i.id),
    LastPingDateTime: now,
    AgentVersion: '3.3.0.0-ydeploy-sandbox',
    IsLatestVersion: true,
    PlatformType: 'Linux',
    PlatformName: 'Amazon Linux',
    PlatformVersion: '2023',
    ResourceType: 'EC2Instance',
    IPAddress: i.privateIp ?? '127.0.0.1',
    ComputerName: `ip-${(i.privateIp ?? '127.0.0.1').replace(/\./g, '-')}.ec2.internal`,
    AssociationStatus: 'Success',
    RegistrationDate: seconds(new Date(i.startedAt)),
  }));
  return page(rows, input, 'InstanceInformationList');
}

function page(rows: unknown[], input: Record<string, unknown>, key: string) {
  const start = Number(input.NextToken ?? 0) || 0;
  const size = Math.max(1, Math.min(Number(input.MaxResults ?? 50) || 50, 50));
  const slice = rows.slice(start, start + size);
  return { [key]: slice, ...(start + size < rows.length ? { NextToken: String(start + size) } : {}) };
}

function elapsed(invocation: Invocation): string {
  if (!invocation.startedAt) return 'PT0S';
  const end = invocation.endedAt ?? new Date();
  return `PT${((end.getTime() - invocation.startedAt.getTime()) / 1000).toFixed(3)}S`;
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}

function instanceReader(file: string): () => Promise<Map<string, HostedInstance>> {
  let cached: { mtime: number; map: Map<string, HostedInstance> } | undefined;
  return async () => {
    const mtime = await stat(file).then(
      (s) => s.mtimeMs,
      () => -1,
    );
    if (cached && cached.mtime === mtime) return cached.map;
    const state = await readJson<InstancesState>(file);
    const map = new Map(Object.entries(state?.instances ?? {}));
    cached = { mtime, map };
    return map;
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, type = JSON_TYPE): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  };
  if (status >= 400 && typeof (body as { __type?: string }).__type === 'string')
    headers['x-amzn-errortype'] = (body as { __type: string }).__type;
  res.writeHead(status, headers);
  res.end(text);
}

/** Byte for byte to moto: same method, path, headers (but Host) and body. */
function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, motoEndpoint: string): Promise<void> {
  const target = new URL(req.url ?? '/', motoEndpoint);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on('end', resolve);
        response.on('error', reject);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent)
        reply(res, 503, {
          __type: 'ServiceUnavailable',
          message: `moto is not reachable at ${motoEndpoint}: ${error.message}`,
        });
      resolve();
    });
    upstream.end(body);
  });
}
