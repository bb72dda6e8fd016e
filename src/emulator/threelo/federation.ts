/**
 * AWS_IAM_ID_TOKEN_JWT client authentication at the local OAuth provider. The client assertion is a web-identity JWT
 * of the workload's role (RFC 7523 §2.2: iss = the STS issuer, sub = the role ARN, aud = the token endpoint), which
 * oidc-provider's private_key_jwt cannot take (it requires iss = sub = client_id). So the provider registers such a
 * client as federated — trusted issuer + subject, the way IdPs register workload identity federation — and this check
 * runs in front of the token endpoint: a valid assertion of the STS stand-in for a registered subject is replaced by
 * that client's client_id (the client is registered with no secret: token_endpoint_auth_method none), and any other
 * token request naming a federated client is refused with invalid_client, so the client has no other way in.
 */
import { IncomingMessage, type ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { TrustRefusal, type ProviderTrust } from './trust.js';

export interface FederatedClient {
  clientId: string;
  /** The role ARN whose web-identity JWTs authenticate the client. */
  subject: string;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_BODY = 64 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('request body too large'));
      else chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The same request with another body, for oidc-provider to read as if it had arrived so. */
function withBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method!;
  copy.url = req.url!;
  copy.httpVersion = req.httpVersion;
  copy.headers = { ...req.headers, 'content-length': String(body.length) };
  // Marked complete (the parser would have), so ending it does not count as an abort that closes the socket.
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

function deny(res: ServerResponse, description: string): undefined {
  const body = JSON.stringify({ error: 'invalid_client', error_description: description });
  res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  return undefined;
}

function namedClient(req: IncomingMessage, form: URLSearchParams): string | undefined {
  const basic = /^basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) return decodeURIComponent(Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] ?? '');
  const assertion = form.get('client_assertion');
  if (assertion) {
    try {
      return String(decodeJwt(assertion).sub ?? '');
    } catch {
      return undefined;
    }
  }
  return form.get('client_id') ?? undefined;
}

/**
 * Checks a token request; returns the request oidc-provider should see, or undefined when it was answered here.
 * Requests for other paths pass unchanged.
 */
export async function federatedClientAuth(
  req: IncomingMessage,
  res: ServerResponse,
  setup: { trust: ProviderTrust; clients: FederatedClient[]; stsIssuer: string; audiences: string[] },
): Promise<IncomingMessage | undefined> {
  const raw = await readBody(req);
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return withBody(req, raw);
  const form = new URLSearchParams(raw.toString('utf8'));
  const assertion = form.get('client_assertion');
  let iss: unknown;
  try {
    iss = assertion ? decodeJwt(assertion).iss : undefined;
  } catch {
    iss = undefined;
  }
  if (assertion && iss === setup.stsIssuer) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE)
      return deny(res, `client_assertion_type must be ${ASSERTION_TYPE}`);
    let sub: unknown;
    try {
      sub = (await setup.trust.webIdentity(assertion, setup.audiences, 'client_assertion')).sub;
    } catch (e) {
      return deny(res, e instanceof TrustRefusal ? e.message : 'client_assertion could not be verified');
    }
    const client = setup.clients.find((c) => c.subject === sub);
    const given = form.get('client_id');
    if (!client || (given && given !== client.clientId))
      return deny(res, `no client is registered for the web identity ${String(sub)}`);
    form.delete('client_assertion');
    form.delete('client_assertion_type');
    form.set('client_id', client.clientId);
  } else {
    const named = namedClient(req, form);
    const federated = setup.clients.find((c) => c.clientId === named);
    if (federated)
      return deny(res, `client ${federated.clientId} authenticates with a web-identity JWT of ${federated.subject}`);
  }
  return withBody(req, Buffer.from(form.toString(), 'utf8'));
}
