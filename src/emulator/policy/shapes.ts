/**
 * AgentCore Policy's request shapes (constraints from the API reference / botocore, agentcore-gateway.md §4.2) and the
 * response projections of an engine and a policy (full and summary: summaries omit the customer-encrypted fields,
 * description, definition and statusReasons, as the SDK's *Summary shapes do).
 */
import { enumOf, map, req, str, struct, union } from '../api/index.js';
import type { EngineRecord, PolicyRecord } from './store.js';

const NAME = str({ min: 1, max: 48, pattern: /[A-Za-z][A-Za-z0-9_]*/ });
const DESCRIPTION = str({ min: 1, max: 4096 });
const ID = str({ min: 12, max: 59, pattern: /[A-Za-z][A-Za-z0-9_]*-[a-z0-9_]{10}/ });
const TOKEN = str({ min: 1, max: 256 });
export const VALIDATION_MODES = ['FAIL_ON_ANY_FINDINGS', 'IGNORE_ALL_FINDINGS'] as const;
export const ENFORCEMENT_MODES = ['ACTIVE', 'LOG_ONLY'] as const;

const DEFINITION = union({
  cedar: struct({ statement: req(str({ min: 35, max: 10000 })) }),
  policy: struct({ statement: req(str({ min: 1, max: 10000 })) }),
  policyGeneration: struct({ policyGenerationId: req(str()), policyGenerationAssetId: req(str()) }),
});
const UPDATED_DESCRIPTION = struct({ optionalValue: str({ max: 4096 }) });

export const ENGINE_LABELS = struct({ policyEngineId: req(ID) });
export const POLICY_LABELS = struct({ policyEngineId: req(ID), policyId: req(ID) });
export const GENERATION_LABELS = struct({ policyEngineId: req(ID), policyGenerationId: req(str({ min: 1 })) });

export const CREATE_ENGINE = struct({
  name: req(NAME),
  description: DESCRIPTION,
  clientToken: TOKEN,
  encryptionKeyArn: str({ min: 1, max: 2048 }),
  tags: map(str({ max: 256 }), { max: 50, key: str({ min: 1, max: 128 }) }),
});
export const UPDATE_ENGINE = struct({ description: UPDATED_DESCRIPTION });
export const CREATE_POLICY = struct({
  name: req(NAME),
  definition: req(DEFINITION),
  description: DESCRIPTION,
  validationMode: enumOf(VALIDATION_MODES),
  enforcementMode: enumOf(ENFORCEMENT_MODES),
  clientToken: TOKEN,
});
export const UPDATE_POLICY = struct({
  description: UPDATED_DESCRIPTION,
  definition: DEFINITION,
  validationMode: enumOf(VALIDATION_MODES),
  enforcementMode: enumOf(ENFORCEMENT_MODES),
});
export const START_GENERATION = struct({
  name: req(NAME),
  resource: req(union({ arn: str({ min: 20, max: 1011 }) })),
  content: req(union({ rawText: str({ min: 1, max: 2000 }) })),
  clientToken: TOKEN,
});

/** Timestamps as RFC 3339 date-time strings (the model's timestampFormat for these members). */
const seconds = (ms: number) => new Date(ms).toISOString();

export function engineSummary(e: EngineRecord) {
  return {
    policyEngineId: e.policyEngineId,
    name: e.name,
    createdAt: seconds(e.createdAt),
    updatedAt: seconds(e.updatedAt),
    policyEngineArn: e.policyEngineArn,
    status: e.status,
    ...(e.encryptionKeyArn ? { encryptionKeyArn: e.encryptionKeyArn } : {}),
  };
}

export function engineOut(e: EngineRecord) {
  return {
    ...engineSummary(e),
    ...(e.description !== undefined ? { description: e.description } : {}),
    statusReasons: e.statusReasons,
  };
}

export function policySummary(p: PolicyRecord) {
  return {
    policyId: p.policyId,
    name: p.name,
    policyEngineId: p.policyEngineId,
    createdAt: seconds(p.createdAt),
    updatedAt: seconds(p.updatedAt),
    policyArn: p.policyArn,
    status: p.status,
    enforcementMode: p.enforcementMode,
  };
}

export function policyOut(p: PolicyRecord) {
  return {
    ...policySummary(p),
    definition: { cedar: { statement: p.statement } },
    ...(p.description !== undefined ? { description: p.description } : {}),
    statusReasons: p.statusReasons,
  };
}
