/**
 * An inline OpenAPI 3 document (JSON or YAML) read as gateway tools: each operation a tool named by its operationId,
 * its input schema from the parameters and the JSON body (the argument mapping is UNVERIFIED against the service).
 * Used by the OpenAPI target (openapi.ts) and by CreateGatewayTarget's validation (rules.ts).
 */
import { createRequire } from 'node:module';
import { GatewayFailure } from '../data/call.js';
import type { CatalogTool } from '../model.js';
import { isObject, type JsonObject } from '../util.js';

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonObject;
  description?: string;
}

export interface Operation {
  tool: CatalogTool;
  method: string;
  path: string;
  params: Param[];
  /** Names of the body's object properties; undefined: no body; 'body': the whole body under `body`. */
  body?: string[] | 'body';
}

export interface Api {
  server: string;
  operations: Map<string, Operation>;
}

/**
 * yaml (72 CommonJS files) loaded on the first YAML document only: the stack imports this module at start-up
 * (CreateGatewayTarget's validation) and most stacks never see a YAML schema. require(), as src/core/policy/load.ts.
 */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text, { logLevel: 'error' });

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function resolve(doc: JsonObject, v: unknown): JsonObject {
  if (isObject(v) && typeof v.$ref === 'string' && v.$ref.startsWith('#/')) {
    let cur: unknown = doc;
    for (const part of v.$ref.slice(2).split('/')) cur = isObject(cur) ? cur[part] : undefined;
    return isObject(cur) ? cur : {};
  }
  return isObject(v) ? v : {};
}

function operationOf(doc: JsonObject, path: string, method: string, op: JsonObject, shared: unknown[]): Operation {
  if (typeof op.operationId !== 'string' || !op.operationId)
    throw new GatewayFailure(`OpenAPI operation ${method.toUpperCase()} ${path} has no operationId`);
  const params: Param[] = [...shared, ...((op.parameters as unknown[]) ?? [])]
    .map((p) => resolve(doc, p))
    .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
    .map((p) => ({
      name: String(p.name),
      in: p.in as Param['in'],
      required: p.required === true || p.in === 'path',
      schema: resolve(doc, p.schema),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    }));
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const p of params) {
    properties[p.name] = { ...p.schema, ...(p.description ? { description: p.description } : {}) };
    if (p.required) required.push(p.name);
  }
  let body: Operation['body'];
  const content = resolve(doc, op.requestBody).content;
  const json = isObject(content)
    ? resolve(doc, (content['application/json'] as JsonObject | undefined)?.schema)
    : undefined;
  if (json && Object.keys(json).length) {
    if (isObject(json.properties)) {
      body = Object.keys(json.properties);
      for (const [k, v] of Object.entries(json.properties)) properties[k] = resolve(doc, v);
      if (Array.isArray(json.required)) required.push(...(json.required as string[]));
    } else {
      body = 'body';
      properties.body = json;
      if (resolve(doc, op.requestBody).required === true) required.push('body');
    }
  }
  const description = [op.summary, op.description].filter((x) => typeof x === 'string').join(' — ');
  return {
    tool: {
      name: op.operationId,
      ...(description ? { description } : {}),
      inputSchema: { type: 'object', properties, ...(required.length ? { required } : {}) },
    },
    method: method.toUpperCase(),
    path,
    params,
    ...(body ? { body } : {}),
  };
}

export function parseOpenApi(text: string): Api {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new GatewayFailure(`The OpenAPI schema is neither JSON nor YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3'))
    throw new GatewayFailure('The schema is not an OpenAPI 3 document (no "openapi": "3.x")');
  const server = (doc.servers as Array<{ url?: unknown }> | undefined)?.[0]?.url;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server))
    throw new GatewayFailure('The OpenAPI document needs servers[0].url, an absolute http(s) URL');
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const m of METHODS)
      if (isObject(item[m])) {
        const op = operationOf(doc, path, m, item[m] as JsonObject, (item.parameters as unknown[]) ?? []);
        operations.set(op.tool.name, op);
      }
  }
  return { server: server.replace(/\/+$/, ''), operations };
}
