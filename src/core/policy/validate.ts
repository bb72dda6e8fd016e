/**
 * `policy validate FILE…`: every problem CreatePolicy would meet, with file:line — Cedar parse errors, schema errors
 * against the gateway's tools (`--tools`), AgentCore's scope rules, and the analyzer's findings under
 * FAIL_ON_ANY_FINDINGS (src/policy-model/validate.ts says how they are approximated). Without tools only the parse
 * and scope checks can run: the schema would know no tool.
 */
import { resolve } from 'node:path';
import {
  mergePolicies,
  parsePolicyText,
  policyHead,
  TOOL_SEPARATOR,
  validatePolicies,
  type GatewayModel,
  type PolicyDiagnostic,
  type ValidationMode,
} from '../../policy-model/index.js';
import { usageError } from '../errors.js';
import { readText, toolsFrom } from './load.js';

export interface ValidateResult {
  files: string[];
  policies: number;
  diagnostics: PolicyDiagnostic[];
  errors: number;
  warnings: number;
  schemaChecked: boolean;
}

/** A deployed gateway's model (`--gateway-id`): the targets whose tools were read, and those whose were not. */
export interface ReadGatewayModel {
  gateway: GatewayModel;
  /** Targets whose tools the control plane does not hold: diagnostics about their actions are left out. */
  unlisted: string[];
}

export async function validateFiles(
  files: readonly string[],
  o: {
    cwd: string;
    tools?: { doc: unknown; file: string };
    gatewayArn?: string;
    mode: ValidationMode;
    deployed?: ReadGatewayModel;
  },
): Promise<ValidateResult> {
  if (!files.length)
    throw usageError('no policy file to validate', 'agentcore-auth policy validate FILE… --tools FILE');
  const parsed = mergePolicies(
    await Promise.all(
      files.map(async (f) => parsePolicyText(await readText(resolve(o.cwd, f), 'policy file'), { file: f })),
    ),
  );
  let gateway: GatewayModel | undefined = o.deployed?.gateway;
  if (o.tools && !gateway) {
    const t = toolsFrom(o.tools.doc, o.tools.file);
    gateway = {
      arn: o.gatewayArn ?? '',
      targets: t.targets,
      ...(t.authorizerType ? { authorizerType: t.authorizerType } : {}),
    };
  }
  // Without the tools (none given, or a deployed target's tools not in the control plane) the schema does not know
  // the actions: what the validator says of them is not a finding.
  const unlisted = o.deployed?.unlisted ?? [];
  const byId = new Map(parsed.policies.map((p) => [p.id, p]));
  const namesUnlisted = (id: string | undefined) =>
    !!policyHead(byId.get(id ?? '')?.statement ?? '')?.actions?.some((a) =>
      unlisted.some((t) => a === t || a.startsWith(`${t}${TOOL_SEPARATOR}`)),
    );
  const unchecked = (d: PolicyDiagnostic) =>
    (!gateway || namesUnlisted(d.policyId)) &&
    /unrecognized action|unable to find an applicable action|policy is impossible/.test(d.message);
  const found = validatePolicies(gateway, parsed.policies, o.mode).filter((d) => !unchecked(d));
  const diagnostics = [...parsed.diagnostics, ...found];
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return {
    files: [...files],
    policies: parsed.policies.length,
    diagnostics,
    errors,
    warnings: diagnostics.length - errors,
    schemaChecked: !!gateway,
  };
}
