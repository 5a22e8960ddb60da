export { runPreflight, preflightFailed, type CheckResult, type PreflightReport, type PreflightOptions, type PreflightContext } from './run.js';
export { checklist } from './checks.js';
export type { PreflightCheck, CheckOutcome, CheckDeps, TestCommand } from './check.js';
