/** The policy subcommands' options, declared once (cli/options.ts): registered by index.ts, typed for the actions. */
import {
  choice,
  flag,
  optionalValue,
  parseJsonObject,
  repeated,
  required,
  value,
  withDefault,
  type OptionsOf,
} from '../../options.js';

const JSON_OBJECT = (raw: string, flag: string) =>
  parseJsonObject(raw, flag, flag === '--claims' ? '{"sub":"alice","cognito:groups":["support"]}' : undefined);
const CALLERS = ['bearerToken', 'bearer', 'claims', 'iamArn'] as const;
const others = (me: (typeof CALLERS)[number]) => CALLERS.filter((c) => c !== me);

export const CHECK_OPTIONS = {
  gatewayId: value(
    '--gateway-id <id>',
    "a deployed gateway (control plane: local stack or AWS): its engine's policies, its tools, ARN and mode",
    { conflicts: ['gatewayArn'] },
  ),
  policyFile: repeated(
    '--policy-file <files...>',
    "Cedar policy files (repeatable; several after one flag); with --gateway-id they replace the engine's",
  ),
  tools: value(
    '--tools <file>',
    "the gateway's tools (JSON/YAML: a tools/list result, a list, or {targets:[…]}); with --gateway-id, for the " +
      'targets whose tools the control plane does not hold',
  ),
  gatewayArn: value('--gateway-arn <arn>', 'the gateway called (default: the one the policies name)'),
  bearerToken: value('--bearer-token <jwt|->', 'the caller: a JWT (claims read, not verified); - reads stdin', {
    conflicts: others('bearerToken'),
  }),
  bearer: optionalValue('--bearer [name]', 'the caller: a cached login (default entry when NAME is omitted)', {
    conflicts: others('bearer'),
  }),
  idToken: flag('--id-token', 'with --bearer: the cached ID token instead of the access token'),
  claims: value('--claims <json>', 'the caller: the JWT claims as a JSON object (must have sub)', JSON_OBJECT, {
    conflicts: others('claims'),
  }),
  iamArn: value('--iam-arn <arn>', 'the caller: an IAM principal ARN (an AWS_IAM gateway)', {
    conflicts: others('iamArn'),
  }),
  tool: required(value('--tool <name>', 'the tool called, <target>___<tool>')),
  input: withDefault(value('--input <json>', 'the tool arguments (JSON object)', JSON_OBJECT), {}, '{}'),
};
export type CheckOptions = OptionsOf<typeof CHECK_OPTIONS>;

export const TEST_OPTIONS = {
  junit: value('--junit <file>', 'also write a JUnit XML report to FILE'),
};
export type TestOptions = OptionsOf<typeof TEST_OPTIONS>;

export const VALIDATE_OPTIONS = {
  gatewayId: value('--gateway-id <id>', "a deployed gateway: the schema from its targets' tools, its ARN", {
    conflicts: ['gatewayArn'],
  }),
  tools: value('--tools <file>', "the gateway's tools (without it or --gateway-id only parse and scope checks run)"),
  gatewayArn: value('--gateway-arn <arn>', 'the gateway the policies are for'),
  validationMode: withDefault(
    choice('--validation-mode <mode>', 'as CreatePolicy: analyzer findings fail (default) or are ignored', [
      'FAIL_ON_ANY_FINDINGS',
      'IGNORE_ALL_FINDINGS',
    ]),
    'FAIL_ON_ANY_FINDINGS',
  ),
};
export type ValidateOptions = OptionsOf<typeof VALIDATE_OPTIONS>;
