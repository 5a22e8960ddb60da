// Client settings shared by every AWS adapter. Endpoints come from the standard variables
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, ...), which the SDK reads itself.
export interface AwsSettings {
  region: string;
  profile?: string;
  /** The environment the SDK reads endpoints and credentials from. */
  env: NodeJS.ProcessEnv;
}

/**
 * A client's settings, read from `settings.env` rather than from process.env: the endpoint
 * (AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL) and static keys when no profile is named,
 * so a command pointed at the sandbox never changes the process's own environment.
 */
export function clientConfig(settings: AwsSettings, service: string, options: { maxAttempts?: number } = {}) {
  const { env } = settings;
  const endpoint = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] || env.AWS_ENDPOINT_URL;
  const keys = !settings.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  return {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(keys
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID!,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
    maxAttempts: options.maxAttempts ?? 3,
  };
}

/** S3 behind a custom endpoint (moto, MinIO) needs path-style addressing. */
export function usesCustomEndpoint(env: NodeJS.ProcessEnv, service: string): boolean {
  return Boolean(env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL);
}

/**
 * An SDK client built on first use: the SDK module is imported only by a command that calls
 * it, which keeps start-up time and memory down (`ydeploy logs` never loads EC2's 100 MiB).
 */
export function lazyClient<Sdk, Client>(
  load: () => Promise<Sdk>,
  make: (sdk: Sdk) => Client,
): () => Promise<{ sdk: Sdk; client: Client }> {
  let made: Promise<{ sdk: Sdk; client: Client }> | undefined;
  return () => (made ??= load().then((sdk) => ({ sdk, client: make(sdk) })));
}
