// GET /health (DESIGN.md §4.1): the statuses a health server answers and the HTTP code each
// comes with. The body's fields are defined once, in schemas.ts (healthBodySchema, HealthBody);
// the bot imports only their type from there, so zod stays out of health.mjs.

export const HEALTH_STATUSES = ['starting', 'healthy', 'unhealthy', 'stopping'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** Healthy answers 200 and every other status 503, so a load balancer can read the code alone. */
export function healthHttpCode(status: HealthStatus): 200 | 503 {
  return status === 'healthy' ? 200 : 503;
}
