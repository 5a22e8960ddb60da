// What ydeploy's progress is written for: someone watching a terminal (spinners, colour, lines
// updated in place), a CI log (plain lines, each with a timestamp, colour only when forced), or
// a pipe (plain lines).

/**
 * Whether this runs in CI. The vendor-neutral `CI` variable decides when it is set (`CI=false`
 * turns detection off, as ci-info does); otherwise ci-info recognises the CI services by their
 * own variables (GITHUB_ACTIONS, GITLAB_CI, BUILDKITE, JENKINS_URL, …). ci-info reads the
 * process's environment, so an environment given by an in-process caller (tests, `main(argv,
 * io)`) is the whole truth and only its `CI` counts.
 */
export async function detectCi(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.CI === 'false') return false;
  if (env.CI) return true;
  if (env !== process.env) return false;
  const { isCI } = await import('ci-info');
  return isCI;
}

/**
 * Colour on stderr: never with --no-color or NO_COLOR; always with FORCE_COLOR (a CI log that
 * renders ANSI colour asks for it this way); otherwise only on a terminal outside CI.
 */
export function colorWanted(options: {
  flag: boolean;
  env: NodeJS.ProcessEnv;
  stream: { isTTY?: boolean };
  ci: boolean;
}): boolean {
  const { env } = options;
  if (!options.flag || env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && !['0', 'false'].includes(env.FORCE_COLOR)) return true;
  return !options.ci && Boolean(options.stream.isTTY);
}

/**
 * Spinners only where someone watches a real terminal: a TTY that is not TERM=dumb, not CI, and
 * has a width (a pseudo-terminal without one, as under `script` with no terminal around it,
 * would make the spinner clear an unbounded number of lines).
 */
export function isInteractiveTerminal(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
  ci = Boolean(env.CI) && env.CI !== 'false',
): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb' && !ci && (stream.columns ?? 80) > 0;
}

/** A CI log line's timestamp: the time of day in UTC to the millisecond, HH:MM:SS.mmm. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/**
 * `text` cut to `width` columns with an ellipsis: a live line that wraps is no longer one line
 * (and long resource addresses would make it wrap on every update). Widths are counted in
 * characters, which holds for what ydeploy writes there (titles, resource addresses, numbers).
 */
export function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? '…'.slice(0, Math.max(width, 0)) : `${chars.slice(0, width - 1).join('')}…`;
}
