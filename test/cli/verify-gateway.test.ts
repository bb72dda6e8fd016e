/**
 * `verify --gateway-id` on gateways the local stack never shows (its gateways are all CUSTOM_JWT): AWS_IAM and NONE
 * gateways from a loopback control-plane double, read through the real AWS SDK client (GetGateway); and a caller who
 * may not read the configuration (403 on GetGateway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../src/wire.js';
import { startControlPlaneDouble, type ControlPlaneDouble } from '../fixtures/control-plane-double.js';
import { startFakeIdp, type FakeIdp } from '../fixtures/fake-idp.js';
import { runCommand } from '../helpers/context.js';

let cp: ControlPlaneDouble;
let idp: FakeIdp;

beforeAll(async () => {
  idp = await startFakeIdp();
  cp = await startControlPlaneDouble({
    gateways: {
      'iam-gw-abcdefghij': {
        gatewayId: 'iam-gw-abcdefghij',
        name: 'iam-gw',
        status: 'READY',
        authorizerType: 'AWS_IAM',
        protocolType: 'MCP',
      },
      'open-gw-abcdefghij': {
        gatewayId: 'open-gw-abcdefghij',
        name: 'open-gw',
        status: 'READY',
        authorizerType: 'NONE',
        protocolType: 'MCP',
      },
    },
  });
});
afterAll(async () => {
  await cp.close();
  await idp.close();
});

const env = () => cp.env;

describe('verify --gateway-id on IAM and open gateways', () => {
  it('no permission to read the gateway: exit 4 with the way to verify from flags', async () => {
    const token = await idp.sign({ iss: idp.issuer });
    const r = await runCommand(['verify', token, '--gateway-id', 'denied-gw-abcdefghij'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        /^error: GetGateway failed: AccessDeniedException: User is not authorized to /.source +
          /perform: bedrock-agentcore:GetGateway\n/.source,
      ),
    );
    expect(r.stderr).toContain(
      'hint: Reading the authorizer needs bedrock-agentcore:GetGateway. Without it, give the authorizer as ' +
        'flags: --discovery-url',
    );
  });

  it('an AWS_IAM gateway rejects every bearer token (method mismatch)', async () => {
    const token = await idp.sign({ iss: idp.issuer, sub: 'alice' });
    const r = await runCommand(['verify', token, '--gateway-id', 'iam-gw-abcdefghij'], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(
      `would be rejected: authorizer — gateway iam-gw has no customJWTAuthorizer: it takes IAM SigV4 only, ` +
        `so a bearer call gets 403 "${MESSAGES.methodMismatch}" — call the gateway with SigV4, or configure ` +
        `authorizerType CUSTOM_JWT\n`,
    );
    const j = await runCommand(['--json', 'verify', token, '--gateway-id', 'iam-gw-abcdefghij'], { env: env() });
    expect(JSON.parse(j.stdout)).toMatchObject({
      accepted: false,
      rejected: { code: 'ERR_VERIFY_REJECTED', claim: 'authorizer', response: { status: 403 } },
      authorizer: { mode: 'SIGV4' },
    });
  });

  it('a NONE gateway accepts anything, with a warning', async () => {
    const token = await idp.sign({ iss: 'whoever' });
    const r = await runCommand(['verify', token, '--gateway-id', 'open-gw-abcdefghij'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('would be accepted\n');
    expect(r.stderr).toBe(
      'warning: gateway open-gw has no inbound authorization (authorizerType NONE): any caller is accepted\n',
    );
  });
});
