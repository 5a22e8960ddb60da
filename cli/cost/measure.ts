// The data volumes of an environment as CloudWatch measured them: log bytes ingested
// (AWS/Logs IncomingBytes), log bytes stored (DescribeLogGroups' storedBytes) and NAT bytes
// processed (AWS/NATGateway BytesInFromSource + BytesInFromDestination), over the last 14 days
// scaled to a month. What cannot be read, or was never measured, falls back to the stated
// assumption, and the line says so: a failed read is not an error.
import type { UsageMeter } from '../ports.js';
import { HOURS_PER_MONTH, assumedVolumes, round, type Volume, type Volumes } from './model.js';

export const MEASURE_DAYS = 14;
const GB = 1024 ** 3;

export interface MeasureTarget {
  /** The bot/health log group and the flow logs group. */
  groups: { bot: string; flow: string };
  /** The NAT gateway's Name tag ("<project>-<environment>-nat"); undefined: no gateway to measure. */
  natName?: string;
  logRetentionDays: number;
}

export interface Measured {
  volumes: Volumes;
  /** Why a measurement fell back to its assumption. */
  notes: string[];
}

export async function measureVolumes(
  meter: UsageMeter | undefined,
  target: MeasureTarget,
  now: number,
): Promise<Measured> {
  const assumed = assumedVolumes(target.logRetentionDays);
  if (!meter) return { volumes: assumed, notes: ['nothing measured: no CloudWatch to read; assumptions used'] };
  const notes: string[] = [];
  const end = new Date(now);
  const start = new Date(now - MEASURE_DAYS * 86_400_000);
  const perMonth = (bytes: number) => round(((bytes / GB) * (HOURS_PER_MONTH / 24)) / MEASURE_DAYS, 4);
  const measured = `measured over ${MEASURE_DAYS} days`;

  const attempt = async (what: string, fallback: Volume, read: () => Promise<number | undefined>) => {
    try {
      const bytes = await read();
      if (bytes === undefined) {
        notes.push(`${what}: nothing measured yet; ${fallback.basis}`);
        return fallback;
      }
      return { gb: perMonth(bytes), basis: measured };
    } catch (error) {
      notes.push(`${what}: CloudWatch could not be read (${firstLine(error)}); ${fallback.basis}`);
      return { ...fallback, basis: `${fallback.basis} (measurement failed)` };
    }
  };
  const incoming = (group: string) => () =>
    meter.metricSum('AWS/Logs', 'IncomingBytes', { LogGroupName: group }, start, end);

  const [botLogs, flowLogs, nat] = await Promise.all([
    attempt('bot logs', assumed.botLogs, incoming(target.groups.bot)),
    attempt('flow logs', assumed.flowLogs, incoming(target.groups.flow)),
    target.natName
      ? attempt('NAT data', assumed.nat, async () => {
          const id = await meter.natGatewayId(target.natName!);
          if (!id) return undefined;
          const sums = await Promise.all(
            ['BytesInFromSource', 'BytesInFromDestination'].map((metric) =>
              meter.metricSum('AWS/NATGateway', metric, { NatGatewayId: id }, start, end),
            ),
          );
          return sums.every((s) => s === undefined) ? undefined : sums.reduce<number>((a, b) => a + (b ?? 0), 0);
        })
      : Promise.resolve(assumed.nat),
  ]);

  let storedLogs: Volume;
  try {
    const stored = await Promise.all([meter.storedBytes(target.groups.bot), meter.storedBytes(target.groups.flow)]);
    if (stored.every((s) => s === undefined)) {
      notes.push(`stored logs: no log group yet; ${assumed.storedLogs.basis}`);
      storedLogs = assumed.storedLogs;
    } else {
      storedLogs = { gb: round(stored.reduce<number>((a, b) => a + (b ?? 0), 0) / GB, 4), basis: 'measured now' };
    }
  } catch (error) {
    notes.push(`stored logs: CloudWatch Logs could not be read (${firstLine(error)}); ${assumed.storedLogs.basis}`);
    storedLogs = { ...assumed.storedLogs, basis: `${assumed.storedLogs.basis} (measurement failed)` };
  }
  return { volumes: { botLogs, flowLogs, storedLogs, nat }, notes };
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!.slice(0, 200);
}
