// Terraform's per-resource steps are the story of an apply; in preflight they would bury the
// checklist. This reporter keeps warnings and debug lines and drops the steps (unless --verbose).
import type { Reporter, StepHandle } from '../ports.js';

const silent: StepHandle = { update() {}, succeed() {}, fail() {}, skip() {} };

export function quietReporter(reporter: Reporter): Reporter {
  if (reporter.verbose) return reporter;
  return {
    json: reporter.json,
    interactive: reporter.interactive,
    verbose: false,
    step: () => silent,
    info: (message, fields) => reporter.debug(message, fields),
    warn: (message, fields) => reporter.warn(message, fields),
    debug: () => {},
    event: () => {},
    data: () => {},
    result: () => {},
    confirm: (question, options) => reporter.confirm(question, options),
    prompt: (question, options) => reporter.prompt(question, options),
  };
}
