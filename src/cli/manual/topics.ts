/**
 * The help topics (`agentcore-auth help <topic>`): names and one-line summaries only, so that the root help can list
 * them without loading anything. Their text is built by topic-pages.ts, which also writes docs/reference/<topic>.md
 * (scripts/gen-reference.mjs): the terminal and the reference show the same pages.
 */
export interface TopicInfo {
  name: string;
  /** The page's title. */
  title: string;
  summary: string;
}

export const TOPICS: readonly TopicInfo[] = [
  { name: 'exit-codes', title: 'Exit codes', summary: 'what each exit code means, for every command' },
  { name: 'environment', title: 'Environment variables', summary: 'the variables agentcore-auth reads' },
  {
    name: 'output',
    title: 'Output, colours and secrets',
    summary: 'stdout, stderr, --json, --verbose, and when a secret is shown',
  },
  { name: 'token-cache', title: 'The token cache', summary: 'where logins are cached, refreshed and removed' },
  { name: 'proxies', title: 'Proxies', summary: 'HTTPS_PROXY, HTTP_PROXY and NO_PROXY' },
  { name: 'iam', title: 'IAM permissions', summary: 'what each command needs; the policy for setup and teardown' },
  { name: 'scenarios', title: 'Smoke scenario format', summary: 'the file `smoke` runs (steps, variables, expect)' },
  { name: 'config', title: 'Local stack config format', summary: 'the file `local --config` reads' },
  { name: 'policy-tests', title: 'Policy test format', summary: 'the table of cases `policy test` runs' },
];

export function findTopic(name: string | undefined): TopicInfo | undefined {
  return TOPICS.find((t) => t.name === name);
}
