/**
 * The Cedar schema AgentCore Policy validates and evaluates against, built from one gateway's targets and tools
 * (agentcore-gateway.md §4.3):
 *   namespace AgentCore; OAuthUser {id: String} with String tags (every JWT claim); IamEntity {id: String} (the caller
 *   ARN, no tags); Gateway; actions Mcp ⊃ CallTool ⊃ `<target>___<tool>`, each tool action also in its target's group
 *   action `<target>`; context = {input: <the tool's inputSchema as a Cedar record>}.
 * AWS's generated schema itself is UNVERIFIED: the shape follows two independent third-party mirrors, and the target
 * group membership (`action in AgentCore::Action::"<Target>"`) follows the developer guide's scope page, not a schema.
 */
import {
  CALL_TOOL,
  MCP_GROUP,
  NAMESPACE,
  PolicyModelError,
  TOOL_SEPARATOR,
  type GatewayModel,
  type TargetSpec,
  type ToolSpec,
} from './model.js';

/** A Cedar JSON-schema type (the subset this builder writes). */
export type CedarType =
  | { type: 'String' | 'Long' | 'Boolean' }
  | { type: 'Extension'; name: 'decimal' }
  | { type: 'Set'; element: CedarType }
  | { type: 'Record'; attributes: Record<string, CedarType & { required?: boolean }> };

export type CedarSchemaJson = Record<string, unknown>;

/** `<target>___<tool>`: the gateway's tool name and the Cedar action id. */
export function toolActionId(target: string, tool: string): string {
  return `${target}${TOOL_SEPARATOR}${tool}`;
}

/** Split a gateway tool name at the first separator (nested gateways keep the rest: `gw___t___tool` → gw, t___tool). */
export function splitToolName(name: string): { target: string; tool: string } | undefined {
  const i = name.indexOf(TOOL_SEPARATOR);
  if (i <= 0 || i + TOOL_SEPARATOR.length >= name.length) return undefined;
  return { target: name.slice(0, i), tool: name.slice(i + TOOL_SEPARATOR.length) };
}

/** Every tool of a gateway by its full name. */
export function toolIndex(gateway: GatewayModel): Map<string, { target: string; tool: ToolSpec }> {
  const out = new Map<string, { target: string; tool: ToolSpec }>();
  for (const t of gateway.targets)
    for (const tool of t.tools) out.set(toolActionId(t.name, tool.name), { target: t.name, tool });
  return out;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** The one JSON type of a schema node (`["string","null"]` → string), or undefined when it has none or several. */
function jsonTypeOf(node: Json): string | undefined {
  const t = node.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const real = t.filter((x) => x !== 'null');
    return real.length === 1 && typeof real[0] === 'string' ? real[0] : undefined;
  }
  if (Array.isArray(node.enum) && node.enum.length && node.enum.every((x) => typeof x === 'string')) return 'string';
  if (isObj(node.properties)) return 'object';
  return undefined;
}

/**
 * A JSON Schema node as a Cedar type: string → String, integer → Long, boolean → Boolean, number → decimal, array →
 * Set of its items, object → Record of its properties (required as the schema says). Nodes with no single type (no
 * `type`, `oneOf`, several types) have no Cedar type: such properties are not visible to policies (undefined).
 */
export function jsonSchemaToCedar(node: unknown): CedarType | undefined {
  if (!isObj(node)) return undefined;
  switch (jsonTypeOf(node)) {
    case 'string':
      return { type: 'String' };
    case 'integer':
      return { type: 'Long' };
    case 'boolean':
      return { type: 'Boolean' };
    case 'number':
      return { type: 'Extension', name: 'decimal' };
    case 'array': {
      const element = jsonSchemaToCedar(node.items);
      return element ? { type: 'Set', element } : undefined;
    }
    case 'object':
      return recordOf(node);
    default:
      return undefined;
  }
}

function recordOf(node: Json): CedarType {
  const props = isObj(node.properties) ? node.properties : {};
  const required = new Set(Array.isArray(node.required) ? node.required.filter((x) => typeof x === 'string') : []);
  const attributes: Record<string, CedarType & { required?: boolean }> = {};
  for (const [k, v] of Object.entries(props)) {
    const t = jsonSchemaToCedar(v);
    if (t) attributes[k] = { ...t, required: required.has(k) };
  }
  return { type: 'Record', attributes };
}

/** The Cedar record type of a tool's input (`context.input`). */
export function inputType(tool: ToolSpec): Extract<CedarType, { type: 'Record' }> {
  return recordOf(isObj(tool.inputSchema) ? tool.inputSchema : {}) as Extract<CedarType, { type: 'Record' }>;
}

/** The principal entity types a gateway's callers are: IamEntity for AWS_IAM gateways, OAuthUser otherwise. */
export function principalTypesOf(gateway: GatewayModel): string[] {
  if (gateway.principalTypes?.length) return [...gateway.principalTypes];
  return gateway.authorizerType === 'AWS_IAM' ? ['IamEntity'] : ['OAuthUser'];
}

/** The gateway's Cedar schema (JSON form, namespace AgentCore). */
export function buildSchema(gateway: GatewayModel): CedarSchemaJson {
  const principalTypes = principalTypesOf(gateway);
  const actions: Json = { [MCP_GROUP]: {}, [CALL_TOOL]: { memberOf: [{ id: MCP_GROUP }] } };
  for (const target of gateway.targets) {
    const group = target.name !== MCP_GROUP && target.name !== CALL_TOOL ? target.name : undefined;
    if (group) actions[group] = {};
    for (const tool of target.tools) {
      actions[toolActionId(target.name, tool.name)] = {
        memberOf: [{ id: CALL_TOOL }, ...(group ? [{ id: group }] : [])],
        appliesTo: {
          principalTypes,
          resourceTypes: ['Gateway'],
          context: { type: 'Record', attributes: { input: { ...inputType(tool), required: true } } },
        },
      };
    }
  }
  const idShape = { type: 'Record', attributes: { id: { type: 'String', required: true } } };
  return {
    [NAMESPACE]: {
      entityTypes: {
        OAuthUser: { shape: idShape, tags: { type: 'String' } },
        IamEntity: { shape: idShape },
        Gateway: {},
      },
      actions,
    },
  };
}

/**
 * Targets from a tools document, as a gateway's `tools/list` gives it or as a user writes it: a list of tools named
 * `<target>___<tool>`, `{tools: […]}`, a JSON-RPC response `{result: {tools: […]}}`, or `{targets: [{name, tools}]}`.
 * Tools without the separator (the gateway's own `x_amz_bedrock_agentcore_search`) are not policy actions: skipped.
 */
export function targetsFromToolsDocument(doc: unknown): { targets: TargetSpec[]; authorizerType?: string } {
  const root = isObj(doc) && isObj(doc.result) ? doc.result : doc;
  if (isObj(root) && Array.isArray(root.targets)) {
    const targets = root.targets.map((t, i) => {
      if (!isObj(t) || typeof t.name !== 'string' || !Array.isArray(t.tools))
        throw new PolicyModelError('tool', `targets[${i}] needs a name and a tools list`);
      return { name: t.name, tools: t.tools.map((x, j) => toolOf(x, `targets[${i}].tools[${j}]`)) };
    });
    return { targets, ...(typeof root.authorizerType === 'string' ? { authorizerType: root.authorizerType } : {}) };
  }
  const list = Array.isArray(root) ? root : isObj(root) && Array.isArray(root.tools) ? root.tools : undefined;
  if (!list)
    throw new PolicyModelError(
      'tool',
      'not a tools document: expected a list of tools, {"tools": […]} or {"targets": [{"name", "tools"}]}',
    );
  const byTarget = new Map<string, ToolSpec[]>();
  list.forEach((x, i) => {
    const tool = toolOf(x, `tools[${i}]`);
    const split = splitToolName(tool.name);
    if (!split) return;
    const tools = byTarget.get(split.target) ?? byTarget.set(split.target, []).get(split.target)!;
    tools.push({ ...tool, name: split.tool });
  });
  return { targets: [...byTarget].map(([name, tools]) => ({ name, tools })) };
}

function toolOf(x: unknown, where: string): ToolSpec {
  if (!isObj(x) || typeof x.name !== 'string' || !x.name)
    throw new PolicyModelError('tool', `${where}: a tool needs a "name"`);
  const schema = x.inputSchema ?? x.input_schema;
  if (schema !== undefined && !isObj(schema))
    throw new PolicyModelError('tool', `${where} (${x.name}): inputSchema must be a JSON Schema object`);
  return {
    name: x.name,
    ...(typeof x.description === 'string' ? { description: x.description } : {}),
    ...(schema ? { inputSchema: schema } : {}),
  };
}

/** The JSON Schema of a value (for tools with no schema given: typed from the inputs that use them). */
function schemaOfValue(v: unknown): Json {
  if (typeof v === 'string') return { type: 'string' };
  if (typeof v === 'boolean') return { type: 'boolean' };
  if (typeof v === 'number') return { type: Number.isInteger(v) ? 'integer' : 'number' };
  if (Array.isArray(v)) return v.length ? { type: 'array', items: schemaOfValue(v[0]) } : { type: 'array' };
  if (isObj(v)) return objectSchemaOf([v]);
  return {};
}

function objectSchemaOf(values: Json[]): Json {
  const properties: Json = {};
  for (const v of values)
    for (const [k, x] of Object.entries(v)) if (!(k in properties) && x !== null) properties[k] = schemaOfValue(x);
  const required = Object.keys(properties).filter((k) => values.every((v) => k in v && v[k] !== null));
  return { type: 'object', properties, required };
}

/**
 * Targets inferred from the calls made to them (no tools file): each tool's input schema is the union of the inputs
 * seen, a property required when every call gives it. An approximation, said as such by the callers.
 */
export function inferTargets(uses: ReadonlyArray<{ tool: string; input: unknown }>): TargetSpec[] {
  const inputs = new Map<string, Json[]>();
  for (const u of uses) {
    if (!splitToolName(u.tool))
      throw new PolicyModelError(
        'tool',
        `tool "${u.tool}" is not a gateway tool name`,
        'Gateway tools are named <target>___<tool> (three underscores), e.g. RefundTool___process_refund.',
      );
    const list = inputs.get(u.tool) ?? inputs.set(u.tool, []).get(u.tool)!;
    if (isObj(u.input)) list.push(u.input);
  }
  const byTarget = new Map<string, ToolSpec[]>();
  for (const [name, values] of inputs) {
    const { target, tool } = splitToolName(name)!;
    const tools = byTarget.get(target) ?? byTarget.set(target, []).get(target)!;
    tools.push({ name: tool, inputSchema: objectSchemaOf(values) });
  }
  return [...byTarget].map(([name, tools]) => ({ name, tools }));
}
