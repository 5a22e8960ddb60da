// The health server's own metrics, which `ydeploy monitor` reads: written as CloudWatch embedded
// metric format (EMF) in its timer log lines, which CloudWatch Logs turns into metrics as it
// ingests them (the instance needs no cloudwatch:PutMetricData for these). Namespace: the
// environment's, `ydeploy/<project>/<environment>` (METRIC_NAMESPACE); one dimension, InstanceId.

export const HEALTH_METRICS = {
  /** How long the health server took to evaluate the answer GET /health gives (readiness file, pid). */
  responseTime: 'HealthResponseTime',
  /** 1 when the evaluation said unhealthy, else 0: the sum over 5 minutes is the guide's health failures. */
  unhealthy: 'Unhealthy',
} as const;

export const HEALTH_METRIC_DIMENSION = 'InstanceId';

/** The EMF fields of one evaluation, to merge into its log line (EMF wants them at the top level). */
export function healthMetricFields(
  namespace: string,
  instanceId: string,
  sample: { responseMs: number; unhealthy: boolean },
  timestamp: number,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[HEALTH_METRIC_DIMENSION]],
          Metrics: [
            { Name: HEALTH_METRICS.responseTime, Unit: 'Milliseconds' },
            { Name: HEALTH_METRICS.unhealthy, Unit: 'Count' },
          ],
        },
      ],
    },
    [HEALTH_METRIC_DIMENSION]: instanceId,
    [HEALTH_METRICS.responseTime]: Math.round(sample.responseMs * 1000) / 1000,
    [HEALTH_METRICS.unhealthy]: sample.unhealthy ? 1 : 0,
  };
}
