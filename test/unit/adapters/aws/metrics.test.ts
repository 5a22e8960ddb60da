// The metrics adapter's batching: one GetMetricData call per refresh for up to 500 queries, the
// NextToken pages followed and put back in time order, a call per 500 beyond that.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloudWatchMetrics, QUERIES_PER_CALL } from '../../../../cli/adapters/aws/metrics.js';
import type { MetricQuery } from '../../../../cli/ports.js';
import { ApiError } from '../../../../cli/errors.js';

const settings = {
  region: 'us-east-1',
  env: { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
};
const query = (n: number): MetricQuery => ({
  id: `q${n}`,
  namespace: 'AWS/EC2',
  metric: 'CPUUtilization',
  dimensions: { InstanceId: `i-${n}` },
  stat: 'Average',
  periodSeconds: 60,
});
const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute));

interface Sent {
  MetricDataQueries: { Id: string; MetricStat: { Metric: { Dimensions: { Name: string; Value: string }[] } } }[];
  NextToken?: string;
  StartTime: Date;
  EndTime: Date;
}

/** Answers GetMetricData from `pages` (by NextToken), recording what was sent. */
function answer(pages: Record<string, { results: [string, number[], number[]][]; next?: string }>) {
  const sent: Sent[] = [];
  const send = async (command: { input: Sent }) => {
    sent.push(command.input);
    const page = pages[command.input.NextToken ?? ''] ?? { results: [] };
    return {
      MetricDataResults: page.results.map(([Id, minutes, Values]) => ({
        Id,
        Timestamps: minutes.map(at),
        Values,
        StatusCode: 'Complete',
      })),
      NextToken: page.next,
    };
  };
  vi.spyOn(CloudWatchClient.prototype, 'send').mockImplementation(send as never);
  return sent;
}

afterEach(() => vi.restoreAllMocks());

describe('CloudWatchMetrics.read', () => {
  it('sends every query of a refresh in one GetMetricData call', async () => {
    const sent = answer({
      '': {
        results: [
          ['q0', [1, 0], [20, 10]],
          ['q1', [0], [5]],
        ],
      },
    });
    const { series, cost } = await new CloudWatchMetrics(settings).read([query(0), query(1), query(2)], at(0), at(60));
    expect(sent).toHaveLength(1);
    expect(sent[0].MetricDataQueries.map((q) => q.Id)).toEqual(['q0', 'q1', 'q2']);
    expect(sent[0].MetricDataQueries[1].MetricStat.Metric.Dimensions).toEqual([{ Name: 'InstanceId', Value: 'i-1' }]);
    expect(cost).toEqual({ calls: 1, queries: 3 });
    expect(series.get('q0')).toEqual([
      { at: at(0).getTime(), value: 10 },
      { at: at(1).getTime(), value: 20 },
    ]);
    expect(series.get('q2')).toEqual([]);
  });

  it('follows NextToken and joins the pages of a series in time order', async () => {
    const sent = answer({
      '': { results: [['q0', [3, 4], [3, 4]]], next: 'page-2' },
      'page-2': {
        results: [
          ['q0', [1, 2], [1, 2]],
          ['q1', [1], [7]],
        ],
      },
    });
    const { series, cost } = await new CloudWatchMetrics(settings).read([query(0), query(1)], at(0), at(60));
    expect(sent.map((s) => s.NextToken)).toEqual([undefined, 'page-2']);
    expect(sent[1].MetricDataQueries).toEqual(sent[0].MetricDataQueries);
    expect(cost).toEqual({ calls: 2, queries: 2 });
    expect(series.get('q0')!.map((p) => p.value)).toEqual([1, 2, 3, 4]);
    expect(series.get('q1')!.map((p) => p.value)).toEqual([7]);
  });

  it('splits more than 500 queries into calls of 500', async () => {
    const sent = answer({});
    const queries = Array.from({ length: QUERIES_PER_CALL + 1 }, (_, n) => query(n));
    const { cost } = await new CloudWatchMetrics(settings).read(queries, at(0), at(60));
    expect(sent.map((s) => s.MetricDataQueries.length)).toEqual([500, 1]);
    expect(cost).toEqual({ calls: 2, queries: 501 });
  });

  it('makes no call for no queries', async () => {
    const sent = answer({});
    expect((await new CloudWatchMetrics(settings).read([], at(0), at(60))).cost).toEqual({ calls: 0, queries: 0 });
    expect(sent).toHaveLength(0);
  });

  it('an AWS refusal is "cannot read CloudWatch metrics: {why}"', async () => {
    vi.spyOn(CloudWatchClient.prototype, 'send').mockRejectedValue(
      Object.assign(new Error('User is not authorized to perform cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = await new CloudWatchMetrics(settings).read([query(0)], at(0), at(60)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(/^cannot read CloudWatch metrics: .*cloudwatch:GetMetricData/);
  });
});
