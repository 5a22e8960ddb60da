// The standard variables every `--env sandbox` command runs with: the AWS SDK and terraform's
// provider and S3 backend all honour them, so core has no sandbox code path.
import type { SandboxState } from '../state-files.js';

export function sandboxEnv(state: SandboxState): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: state.endpoints.aws,
    AWS_ENDPOINT_URL_SSM: state.endpoints.ssm,
    AWS_ACCESS_KEY_ID: state.accessKeyId,
    AWS_SECRET_ACCESS_KEY: state.secretAccessKey,
    // A session token or profile from the operator's shell would win over the keys above.
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: state.region,
    AWS_DEFAULT_REGION: state.region,
    YDEPLOY_DISCORD_CONTROL: state.endpoints.discordControl,
    YDEPLOY_SANDBOX_DIR: state.dir,
  };
}
