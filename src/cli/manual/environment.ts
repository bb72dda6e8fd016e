/**
 * Every environment variable agentcore-auth reads (`help environment`, docs/reference/environment.md). A test scans
 * src/ for the names the code reads and checks that each is listed here, and that nothing listed is unread.
 */
export interface EnvVar {
  names: readonly string[];
  meaning: string;
}

export interface EnvGroup {
  title: string;
  vars: readonly EnvVar[];
}

export const ENVIRONMENT: readonly EnvGroup[] = [
  {
    title: 'AWS',
    vars: [
      {
        names: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
        meaning:
          'the region. Every command resolves it one way: `--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > the ' +
          "profile's `region` > an ARN's region (an invoked ARN always carries its own); `doctor` names the source",
      },
      {
        names: ['AWS_PROFILE'],
        meaning: 'the profile for credentials and region (`--profile` wins; otherwise the profile `default`)',
      },
      {
        names: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'],
        meaning:
          'SigV4 credentials: `--profile` first, then these keys, then `AWS_PROFILE`, then the SDK default chain ' +
          '(SSO, web identity, container and instance roles)',
      },
      {
        names: ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'],
        meaning:
          'the shared files read for the profile (default `~/.aws/config`, `~/.aws/credentials`); a named profile ' +
          'in neither is exit 2, naming both files',
      },
      {
        names: ['AWS_ENDPOINT_URL_BEDROCK_AGENTCORE'],
        meaning: 'the AgentCore data plane (invocations, gateways, Identity tokens); also used by the raw bearer calls',
      },
      {
        names: ['AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL'],
        meaning: 'the AgentCore control plane (`--auth auto`, `doctor`, `verify --agent-arn`, `setup`)',
      },
      {
        names: ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'],
        meaning: 'Cognito user pools (`login`, `setup`, `teardown`)',
      },
      {
        names: ['AWS_ENDPOINT_URL'],
        meaning:
          'every service without its own variable above (after `--endpoint-url`). `agentcore-auth local` prints ' +
          'the per-service ones for its stack',
      },
    ],
  },
  {
    title: 'Signing in (`login`)',
    vars: [
      { names: ['AGENTCORE_AUTH_USERNAME'], meaning: '`--username`' },
      { names: ['AGENTCORE_AUTH_PASSWORD'], meaning: '`--password` (instead of a flag, stdin or a prompt)' },
      { names: ['AGENTCORE_AUTH_NEW_PASSWORD'], meaning: '`--new-password`, the answer to NEW_PASSWORD_REQUIRED' },
      { names: ['AGENTCORE_AUTH_CLIENT_ID'], meaning: '`--client-id`' },
      { names: ['AGENTCORE_AUTH_CLIENT_SECRET'], meaning: '`--client-secret`' },
      { names: ['AGENTCORE_AUTH_USER_POOL_ID'], meaning: '`--user-pool-id` (it also gives the region)' },
      {
        names: ['AGENTCORE_AUTH_TOTP_SECRET'],
        meaning:
          "the authenticator's TOTP secret (or its `otpauth://` URI): `login` answers SOFTWARE_TOKEN_MFA with the " +
          'current code itself',
      },
    ],
  },
  {
    title: 'Files, browser, network, terminal',
    vars: [
      {
        names: ['AGENTCORE_AUTH_CACHE_DIR'],
        meaning: 'the token cache directory (see `help token-cache`)',
      },
      {
        names: ['XDG_CACHE_HOME'],
        meaning: 'without `AGENTCORE_AUTH_CACHE_DIR`, the cache is `$XDG_CACHE_HOME/agentcore-auth`',
      },
      {
        names: ['BROWSER'],
        meaning: 'the command that opens URLs (sign-in, 3LO consent), as git uses it; otherwise the system default',
      },
      {
        names: ['DISPLAY', 'WAYLAND_DISPLAY', 'WSL_DISTRO_NAME'],
        meaning:
          'on Linux without `BROWSER`, none of them set means no browser can open: the URL is printed to open ' +
          'yourself, at once',
      },
      {
        names: ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'],
        meaning: 'the outbound proxy for every call; loopback is never proxied (see `help proxies`)',
      },
      { names: ['NO_COLOR'], meaning: 'no colours (as `--no-color`)' },
      {
        names: ['FORCE_COLOR'],
        meaning: '`0` or `false`: no colours; any other value: colours even when the stream is not a terminal',
      },
      { names: ['TERM'], meaning: '`dumb`: no colours' },
      {
        names: ['CI'],
        meaning:
          'set (and not `false` or `0`): never prompt, even on a terminal — a missing answer is a usage error ' +
          'naming the flag or variable to give instead',
      },
      {
        names: ['HOME', 'USERPROFILE'],
        meaning: 'where `~/.aws/` and `~/.cache/` are (the system home directory otherwise)',
      },
      { names: ['TMPDIR'], meaning: "where `smoke` makes each run's private token cache (removed afterwards)" },
    ],
  },
];

/** Every variable name listed. */
export function documentedVariables(): string[] {
  return ENVIRONMENT.flatMap((g) => g.vars.flatMap((v) => v.names));
}
