/** The emulated services' common parts: shape validation wording, the restJson1 and awsJson1_1 operation tables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  awsJsonService,
  enumOf,
  int,
  jsonOp,
  list,
  map,
  op,
  paginate,
  Reply,
  req,
  restJsonService,
  str,
  struct,
  union,
  validate,
} from '../../src/emulator/api/index.js';
import { Faults, startEmuServer, type EmuServer } from '../../src/emulator/server.js';
import type { SigV4Result } from '../../src/emulator/sigv4.js';

const NAME = str({ min: 1, max: 10, pattern: /([0-9a-zA-Z][-]?){1,100}/ });
const SHAPE = struct({
  name: req(NAME),
  kind: enumOf(['A', 'B']),
  size: int({ min: 1, max: 5 }),
  tags: map(str({ max: 3 }), { max: 2 }),
  items: list(str({ min: 2 }), { max: 3 }),
  config: union({ left: struct({ x: req(str()) }), right: str() }),
});

function error(fn: () => void): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('validate (agentcore dialect)', () => {
  it('accepts a valid body and ignores members the shape does not name', () => {
    expect(() => validate({ name: 'ab-c', kind: 'A', extra: 1, config: { right: 'r' } }, SHAPE)).not.toThrow();
  });
  it.each([
    [{}, "Value at 'name' failed to satisfy constraint: Member must not be null"],
    [{ name: '' }, "Value at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [{ name: 'a_b' }, "Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"],
    [
      { name: 'a', kind: 'C' },
      "Value at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [A, B]",
    ],
    [
      { name: 'a', size: 9 },
      "Value at 'size' failed to satisfy constraint: Member must have value less than or equal to 5",
    ],
    [
      { name: 'a', tags: { k: 'long' } },
      "Value at 'tags.k' failed to satisfy constraint: Member must have length less",
    ],
    [{ name: 'a', items: ['x'] }, "Value at 'items.1.member' failed to satisfy constraint: Member must have length"],
    [
      { name: 'a', config: { left: {} } },
      "Value at 'config.left.x' failed to satisfy constraint: Member must not be null",
    ],
  ])('%j → %s', (body, message) => {
    const e = error(() => validate(body, SHAPE));
    expect(e.status).toBe(400);
    expect(e.type).toBe('ValidationException');
    expect(e.message.startsWith(message)).toBe(true);
    expect(e.extra.reason).toBe('FieldValidationFailed');
  });
  it('a wrong JSON type cannot be parsed; a union needs exactly one member', () => {
    expect(error(() => validate({ name: 5 }, SHAPE)).extra.reason).toBe('CannotParse');
    expect(error(() => validate({ name: 'a', config: { left: { x: 'y' }, right: 'z' } }, SHAPE)).extra.reason).toBe(
      'CannotParse',
    );
  });
  it('counts characters, not UTF-16 units, for lengths', () => {
    expect(() => validate({ name: '😀'.repeat(10) }, struct({ name: str({ max: 10 }) }))).not.toThrow();
  });
});

describe('validate (cognito dialect)', () => {
  it('words it as Cognito: value shown, member name lower-camel, InvalidParameterException', () => {
    const e = error(() => validate({ ClientId: '' }, struct({ ClientId: req(str({ min: 1 })) }), 'cognito'));
    expect(e.type).toBe('InvalidParameterException');
    expect(e.message).toBe(
      "1 validation error detected: Value '' at 'clientId' failed to satisfy constraint: " +
        'Member must have length greater than or equal to 1',
    );
  });
});

describe('paginate', () => {
  const all = Array.from({ length: 5 }, (_, i) => i);
  it('pages with an opaque token and checks maxResults', () => {
    const first = paginate(all, { maxResults: 2 }, { max: 10 });
    expect(first.items).toEqual([0, 1]);
    const second = paginate(all, { maxResults: '2', nextToken: first.nextToken }, { max: 10 });
    expect(second.items).toEqual([2, 3]);
    expect(paginate(all, { nextToken: second.nextToken }, { max: 10 })).toEqual({ items: [4] });
    expect(error(() => paginate(all, { maxResults: 11 }, { max: 10 })).message).toContain('less than or equal to 10');
    expect(error(() => paginate(all, { nextToken: '!!' }, { max: 10 })).message).toBe('Invalid nextToken');
  });
});

describe('operation tables on a server', () => {
  let server: EmuServer;
  const signed: string[] = [];
  const verify = async (r: { headers: Record<string, unknown> }, service?: string): Promise<SigV4Result> => {
    signed.push(service ?? 'default');
    return r.headers.authorization === 'ok'
      ? { ok: true, accessKeyId: 'AKID', region: 'us-east-1', service: service ?? 'x' }
      : { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'The security token is invalid.' };
  };
  beforeAll(async () => {
    const ctx = { things: new Map<string, { name: string }>() };
    const rest = restJsonService(
      [
        op<typeof ctx, { name: string }>({
          name: 'CreateThing',
          method: 'POST',
          path: '/things/',
          status: 202,
          input: struct({ name: req(NAME) }),
          handle: ({ ctx: c, body }) => {
            c.things.set(body.name, { name: body.name });
            return { name: body.name, status: 'CREATING' };
          },
        }),
        op<typeof ctx>({
          name: 'GetThing',
          method: 'GET',
          path: '/things/{thingId}/',
          labels: struct({ thingId: str({ max: 10 }) }),
          handle: ({ ctx: c, params }) => c.things.get(params.thingId!) ?? new Reply(404, { message: 'no' }),
        }),
        op<typeof ctx>({
          name: 'DeleteThing',
          method: 'DELETE',
          path: '/things/{thingId}/',
          status: 204,
          handle: () => {},
        }),
        op<typeof ctx>({
          name: 'Health',
          method: 'GET',
          path: '/things/health',
          anonymous: true,
          handle: () => ({ ok: 1 }),
        }),
      ],
      { ctx, verify, prefixes: ['/things/'] },
    );
    const json = awsJsonService(
      [
        jsonOp({ name: 'Public', input: struct({ ClientId: req(str({ min: 1 })) }), handle: () => ({ Done: true }) }),
        jsonOp({ name: 'AdminThing', signed: true, handle: () => ({ Admin: true }) }),
      ],
      { ctx, targetPrefix: 'Svc.', signingName: 'svc', verify },
    );
    server = await startEmuServer({ host: '127.0.0.1', port: 0, handlers: [rest, json], faults: new Faults() });
  });
  afterAll(() => server.close());

  const call = (path: string, init: RequestInit = {}) =>
    fetch(server.origin + path, init).then(async (r) => ({
      status: r.status,
      type: r.headers.get('x-amzn-errortype'),
      text: await r.text(),
    }));
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: 'ok' }) =>
    call(path, { method: 'POST', body: JSON.stringify(body), headers });

  it('routes by method and template, answers the model code, decodes labels, checks labels', async () => {
    expect(await post('/things/', { name: 'abc' })).toMatchObject({
      status: 202,
      text: '{"name":"abc","status":"CREATING"}',
    });
    expect(await call('/things/abc/', { headers: { authorization: 'ok' } })).toMatchObject({ status: 200 });
    expect(await call('/things/%61bc/', { headers: { authorization: 'ok' } })).toMatchObject({
      text: '{"name":"abc"}',
    });
    expect((await call('/things/nope/', { headers: { authorization: 'ok' } })).status).toBe(404);
    expect(await call('/things/abc/', { method: 'DELETE', headers: { authorization: 'ok' } })).toEqual({
      status: 204,
      type: null,
      text: '',
    });
    const long = await call('/things/abcdefghijk/', { headers: { authorization: 'ok' } });
    expect(long).toMatchObject({ status: 400, type: 'ValidationException' });
  });
  it('prefers the most literal template; anonymous operations skip SigV4; others verify first', async () => {
    expect(await call('/things/health')).toMatchObject({ status: 200, text: '{"ok":1}' });
    expect(await post('/things/', { name: 'abc' }, {})).toMatchObject({
      status: 403,
      type: 'UnrecognizedClientException',
    });
    expect(await post('/things/', { name: '' })).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(await call('/things/', { method: 'PATCH', headers: { authorization: 'ok' } })).toMatchObject({
      status: 405,
    });
    expect(await call('/elsewhere')).toMatchObject({ status: 404, type: 'UnknownOperationException' });
  });
  it('awsJson: target routing, Cognito-worded validation, SigV4 only for signed operations', async () => {
    const target = (name: string, body: unknown, headers: Record<string, string> = {}) =>
      post('/', body, { 'x-amz-target': `Svc.${name}`, ...headers });
    expect(await target('Public', { ClientId: 'c' })).toMatchObject({ status: 200, text: '{"Done":true}' });
    const bad = await target('Public', {});
    expect(bad).toMatchObject({ status: 400, type: 'InvalidParameterException:' });
    expect(JSON.parse(bad.text).message).toContain("Value null at 'clientId'");
    expect(await target('AdminThing', {})).toMatchObject({ status: 400, type: 'UnrecognizedClientException:' });
    expect(await target('AdminThing', {}, { authorization: 'ok' })).toMatchObject({ status: 200 });
    expect((await call('/', { method: 'POST', body: '[1]', headers: { 'x-amz-target': 'Svc.Public' } })).status).toBe(
      400,
    );
  });
});
