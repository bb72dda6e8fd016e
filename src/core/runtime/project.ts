/**
 * Agent lookup in the project files of the two official tools, read only:
 * - `.bedrock_agentcore.yaml` (starter toolkit): `agents.<name>.bedrock_agentcore.agent_arn` / `agent_id`,
 *   `agents.<name>.aws.{account,region}`, `default_agent`.
 * - `agentcore/.cli/deployed-state.json` (agentcore CLI): `targets.<target>.resources.runtimes.<name>.runtimeArn`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../errors.js';

export interface ProjectAgent {
  name: string;
  file: string;
  arn?: string;
  runtimeId?: string;
  accountId?: string;
  region?: string;
}

export const PROJECT_FILES = ['.bedrock_agentcore.yaml', join('agentcore', '.cli', 'deployed-state.json')] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Every agent named in the project files of `cwd` (toolkit file first). */
export async function listProjectAgents(cwd: string): Promise<ProjectAgent[]> {
  const out: ProjectAgent[] = [];
  const yamlPath = join(cwd, PROJECT_FILES[0]);
  if (existsSync(yamlPath)) {
    // yaml is loaded only when a toolkit file is there: `invoke <arn>` never pays for it.
    const { parse } = await import('yaml');
    out.push(...readToolkitYaml(yamlPath, PROJECT_FILES[0], (t) => parse(t) as unknown));
  }
  const statePath = join(cwd, PROJECT_FILES[1]);
  if (existsSync(statePath)) out.push(...readDeployedState(statePath, PROJECT_FILES[1]));
  return out;
}

export async function findProjectAgent(cwd: string, name: string): Promise<ProjectAgent> {
  const agents = await listProjectAgents(cwd);
  if (agents.length === 0) {
    throw inputError(
      `"${name}" is not a runtime ARN or runtime id, and there is no project file here to look it up in`,
      `Pass the agent runtime ARN (arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>), or run in a ` +
        `directory with ${PROJECT_FILES.join(' or ')}.`,
    );
  }
  const matches = agents.filter((a) => a.name === name);
  if (matches.length === 0) {
    const names = [...new Set(agents.map((a) => a.name))].join(', ');
    throw inputError(
      `no agent named "${name}" in ${[...new Set(agents.map((a) => a.file))].join(', ')}`,
      `Known agents: ${names}.`,
    );
  }
  const withArn = matches.filter((a) => a.arn);
  const arns = [...new Set(withArn.map((a) => a.arn))];
  if (arns.length > 1) {
    throw inputError(
      `agent "${name}" has several runtime ARNs in the project files: ${arns.join(', ')}`,
      'Pass the ARN you mean.',
    );
  }
  return withArn[0] ?? matches[0]!;
}

function parseFile(path: string, label: string, parse: (text: string) => unknown): unknown {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw inputError(
      `cannot read ${label}: ${(e as Error).message}`,
      'Fix the file, or pass the runtime ARN instead of an agent name.',
      e,
    );
  }
}

function readToolkitYaml(path: string, label: string, yamlParse: (text: string) => unknown): ProjectAgent[] {
  const doc = parseFile(path, label, yamlParse);
  if (!isObj(doc) || !isObj(doc.agents)) return [];
  const out: ProjectAgent[] = [];
  for (const [key, raw] of Object.entries(doc.agents)) {
    if (!isObj(raw)) continue;
    const bac = isObj(raw.bedrock_agentcore) ? raw.bedrock_agentcore : {};
    const aws = isObj(raw.aws) ? raw.aws : {};
    const agent: ProjectAgent = { name: str(raw.name) ?? key, file: label };
    const arn = str(bac.agent_arn);
    const id = str(bac.agent_id);
    const account = aws.account === undefined || aws.account === null ? undefined : String(aws.account);
    const region = str(aws.region);
    if (arn) agent.arn = arn;
    if (id) agent.runtimeId = id;
    if (account) agent.accountId = account;
    if (region) agent.region = region;
    out.push(agent);
    if (key !== agent.name) out.push({ ...agent, name: key });
  }
  return out;
}

function readDeployedState(path: string, label: string): ProjectAgent[] {
  const doc = parseFile(path, label, (t) => JSON.parse(t) as unknown);
  if (!isObj(doc) || !isObj(doc.targets)) return [];
  const out: ProjectAgent[] = [];
  for (const target of Object.values(doc.targets)) {
    if (!isObj(target) || !isObj(target.resources)) continue;
    for (const group of ['runtimes', 'agents']) {
      const map = target.resources[group];
      if (!isObj(map)) continue;
      for (const [name, raw] of Object.entries(map)) {
        if (!isObj(raw)) continue;
        const agent: ProjectAgent = { name, file: label };
        const arn = str(raw.runtimeArn) ?? str(raw.agentRuntimeArn);
        const id = str(raw.runtimeId) ?? str(raw.agentRuntimeId);
        if (arn) agent.arn = arn;
        if (id) agent.runtimeId = id;
        out.push(agent);
      }
    }
  }
  return out;
}
