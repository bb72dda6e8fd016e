/**
 * Self sign-up: SignUp (an UNCONFIRMED user and a 6-digit confirmation code), ConfirmSignUp, ResendConfirmationCode
 * (public, SECRET_HASH as `SecretHash`), AdminConfirmSignUp (SigV4). The local stack has no mail: every code goes to
 * the stack's events (`local` prints it on its log, and as a JSON line under --json).
 */
import { randomInt, randomUUID } from 'node:crypto';
import {
  checkAttributeNames,
  checkSecretHash,
  clientOf,
  cognitoError,
  cop,
  findUser,
  notAuthorized,
  poolOf,
  userOf,
  attributesFrom,
  type CognitoCtx,
} from './context.js';
import { newUser, passwordPolicyViolation, STANDARD_ATTRIBUTES, type Pool, type PoolUser } from './pools.js';
import { SHAPES } from './shapes.js';

/** Cognito's confirmation codes expire after 24 hours. */
const CODE_TTL_MS = 24 * 3600_000;

/** `a***@e***` / `+*******0123`, as Cognito masks a destination. */
function masked(user: PoolUser): { Destination: string; DeliveryMedium: string; AttributeName: string } | undefined {
  const email = user.attributes.email;
  if (email) {
    const [local = '', domain = ''] = email.split('@');
    return { Destination: `${local[0]}***@${domain[0]}***`, DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  }
  const phone = user.attributes.phone_number;
  if (phone) return { Destination: `+*******${phone.slice(-4)}`, DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  return undefined;
}

function sendCode(ctx: CognitoCtx, pool: Pool, user: PoolUser, purpose: 'SignUp' | 'ResendConfirmationCode') {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  user.confirmation = { code, expiresAt: ctx.emu.now() + CODE_TTL_MS };
  const delivery = masked(user);
  ctx.emu.events?.({
    kind: 'cognito-code',
    userPoolId: pool.id,
    username: user.username,
    code,
    purpose,
    ...(delivery ? { destination: delivery.Destination } : {}),
  });
  return delivery;
}

export const signUp = cop({
  name: 'SignUp',
  input: SHAPES.SignUp,
  handle: ({ ctx, body }) => {
    const { pool, client } = clientOf(ctx, String(body.ClientId));
    const username = String(body.Username);
    checkSecretHash(client, body.SecretHash, [username]);
    if (findUser(pool, username)) throw cognitoError('UsernameExistsException', 'User already exists');
    const password = typeof body.Password === 'string' ? body.Password : '';
    const violation = passwordPolicyViolation(password, pool.policy);
    if (violation) throw cognitoError('InvalidPasswordException', `Password did not conform with policy: ${violation}`);
    const attributes = attributesFrom(body.UserAttributes);
    checkAttributeNames(
      pool,
      Object.keys(attributes),
      STANDARD_ATTRIBUTES.filter((a) => a !== 'sub'),
    );
    const user = newUser({
      username,
      sub: randomUUID(),
      password,
      status: 'UNCONFIRMED',
      attributes,
      now: ctx.emu.now(),
    });
    pool.users.set(username, user);
    const delivery = sendCode(ctx, pool, user, 'SignUp');
    return { UserConfirmed: false, UserSub: user.sub, ...(delivery ? { CodeDeliveryDetails: delivery } : {}) };
  },
});

export const confirmSignUp = cop({
  name: 'ConfirmSignUp',
  input: SHAPES.ConfirmSignUp,
  handle: ({ ctx, body }) => {
    const { pool, client } = clientOf(ctx, String(body.ClientId));
    checkSecretHash(client, body.SecretHash, [String(body.Username)]);
    const user = userOf(pool, body.Username);
    if (user.status !== 'UNCONFIRMED')
      throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
    const pending = user.confirmation;
    if (!pending || pending.code !== body.ConfirmationCode)
      throw cognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
    if (pending.expiresAt <= ctx.emu.now())
      throw cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    delete user.confirmation;
    user.status = 'CONFIRMED';
    user.lastModifiedAt = ctx.emu.now();
    return {};
  },
});

export const resendConfirmationCode = cop({
  name: 'ResendConfirmationCode',
  input: SHAPES.ResendConfirmationCode,
  handle: ({ ctx, body }) => {
    const { pool, client } = clientOf(ctx, String(body.ClientId));
    checkSecretHash(client, body.SecretHash, [String(body.Username)]);
    const user = userOf(pool, body.Username);
    // UNVERIFIED wording.
    if (user.status !== 'UNCONFIRMED') throw cognitoError('InvalidParameterException', 'User is already confirmed.');
    const delivery = sendCode(ctx, pool, user, 'ResendConfirmationCode');
    return delivery ? { CodeDeliveryDetails: delivery } : {};
  },
});

export const adminConfirmSignUp = cop({
  name: 'AdminConfirmSignUp',
  signed: true,
  input: SHAPES.AdminConfirmSignUp,
  handle: ({ ctx, body }) => {
    const user = userOf(poolOf(ctx, body.UserPoolId), body.Username);
    if (user.status !== 'UNCONFIRMED')
      throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
    delete user.confirmation;
    user.status = 'CONFIRMED';
    user.lastModifiedAt = ctx.emu.now();
    return {};
  },
});
