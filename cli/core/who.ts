// Who runs a deployment: the operator on this machine (the context's `user`, user@host) and the
// AWS identity the calls are made as (STS GetCallerIdentity's ARN). The journal, the hooks and
// the notifications name both; the ARN is asked for once per context.
import type { Context } from './context.js';

const arns = new WeakMap<object, Promise<string | undefined>>();

/** The caller's ARN; undefined when STS cannot say (it never fails a deployment). */
export function callerArn(ctx: Pick<Context, 'identity'>): Promise<string | undefined> {
  let arn = arns.get(ctx);
  if (!arn) {
    arn = Promise.resolve()
      .then(() => ctx.identity?.whoami())
      .then((identity) => identity?.arn || undefined)
      .catch(() => undefined);
    arns.set(ctx, arn);
  }
  return arn;
}

/** "alice@laptop (arn:aws:iam::123456789012:user/alice)", or just the operator without an ARN. */
export function describeWho(user: string, arn?: string): string {
  return arn ? `${user} (${arn})` : user;
}
