/**
 * Policy generation (natural language → Cedar through AWS's authoring service): StartPolicyGeneration is refused as
 * not supported by the local stack, so no generation ever exists: the lists are empty and every Get is a 404.
 */
import { op, validationMessage } from '../api/index.js';
import { engineOf, type PolicyCtx } from './engines.js';
import { ENGINE_LABELS, GENERATION_LABELS, START_GENERATION } from './shapes.js';
import { NOT_SUPPORTED } from './statement.js';
import { notFound } from '../api/index.js';

const missing = (call: Parameters<typeof engineOf>[0]) => {
  engineOf(call);
  return notFound(`Policy generation ${call.params.policyGenerationId} not found`);
};

export const generationOperations = [
  op<PolicyCtx>({
    name: 'StartPolicyGeneration',
    method: 'POST',
    path: '/policy-engines/{policyEngineId}/policy-generations',
    status: 202,
    labels: ENGINE_LABELS,
    input: START_GENERATION,
    handle: (call) => {
      engineOf(call);
      throw validationMessage(
        `StartPolicyGeneration ${NOT_SUPPORTED}: it needs AWS's policy authoring service. ` +
          'Write the Cedar statement yourself and create it with CreatePolicy (definition.cedar.statement).',
      );
    },
  }),
  ...(['policy-generations', 'policy-generation-summaries'] as const).flatMap((kind) => [
    op<PolicyCtx>({
      name: kind === 'policy-generations' ? 'ListPolicyGenerations' : 'ListPolicyGenerationSummaries',
      method: 'GET',
      path: `/policy-engines/{policyEngineId}/${kind}`,
      labels: ENGINE_LABELS,
      handle: (call) => {
        engineOf(call);
        return { policyGenerations: [] };
      },
    }),
    op<PolicyCtx>({
      name: kind === 'policy-generations' ? 'GetPolicyGeneration' : 'GetPolicyGenerationSummary',
      method: 'GET',
      path: `/policy-engines/{policyEngineId}/${kind}/{policyGenerationId}`,
      labels: GENERATION_LABELS,
      handle: (call) => {
        throw missing(call);
      },
    }),
  ]),
  op<PolicyCtx>({
    name: 'ListPolicyGenerationAssets',
    method: 'GET',
    path: '/policy-engines/{policyEngineId}/policy-generations/{policyGenerationId}/assets',
    labels: GENERATION_LABELS,
    handle: (call) => {
      throw missing(call);
    },
  }),
];
