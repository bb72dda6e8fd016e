/**
 * Answers to Cognito's sign-in challenges: NEW_PASSWORD_REQUIRED (the new password twice on a prompt, required
 * attributes) and the MFA codes. SOFTWARE_TOKEN_MFA takes --mfa-code, else a code computed from the authenticator's
 * TOTP secret (--totp-secret-stdin or AGENTCORE_AUTH_TOTP_SECRET: for CI, no phone), else a prompt on a terminal.
 */
import type { ChallengeAnswerer } from '../../../core/cognito/auth.js';
import { usageError } from '../../../core/errors.js';
import type { Io } from '../../io.js';
import { LOGIN_ENV, type LoginOptions } from './options.js';
import { canPrompt, noPromptNote, secretValue } from './prompts.js';

async function totpFromSecret(io: Io, opts: LoginOptions): Promise<string | undefined> {
  if (!opts.totpSecretStdin && !io.ctx.env[LOGIN_ENV.totpSecret]) return undefined;
  const text = await secretValue(io, {
    stdin: !!opts.totpSecretStdin,
    stdinFlag: '--totp-secret-stdin',
    env: LOGIN_ENV.totpSecret,
    prompt: 'TOTP secret: ',
    flagName: '--totp-secret-stdin',
    required: true,
  });
  const { totpCode, totpSecretFrom } = await import('../../../core/cognito/totp.js');
  const secret = totpSecretFrom(text!);
  io.secrets.add(secret);
  const code = totpCode(secret, io.ctx.now());
  io.secrets.add(code);
  const from = opts.totpSecretStdin ? 'stdin' : LOGIN_ENV.totpSecret;
  io.ui.info(`Answering SOFTWARE_TOKEN_MFA with a code computed from the TOTP secret (${from})`);
  return code;
}

export function challengeAnswers(
  io: Io,
  opts: LoginOptions,
  extraAttributes: Record<string, string>,
): ChallengeAnswerer {
  return {
    async newPassword({ requiredAttributes }) {
      const newPassword = (await secretValue(io, {
        flag: opts.newPassword,
        env: LOGIN_ENV.newPassword,
        prompt: 'New password: ',
        flagName: '--new-password',
        required: true,
      }))!;
      if (opts.newPassword === undefined && !io.ctx.env[LOGIN_ENV.newPassword]) {
        const again = await io.ctx.prompt('New password again: ', { hidden: true });
        if (again !== newPassword) throw usageError('the new passwords do not match');
      }
      const attributes: Record<string, string> = {};
      for (const name of requiredAttributes) {
        if (extraAttributes[name] !== undefined) attributes[name] = extraAttributes[name];
        else if (canPrompt(io)) attributes[name] = await io.ctx.prompt(`${name}: `, { hidden: false });
        else
          throw usageError(
            `NEW_PASSWORD_REQUIRED needs the attribute '${name}'`,
            `Pass --attribute ${name}=<value> ${noPromptNote(io)}.`,
          );
      }
      for (const [k, v] of Object.entries(extraAttributes)) if (!(k in attributes)) attributes[k] = v;
      return { newPassword, attributes };
    },
    async mfaCode({ kind, destination }) {
      if (opts.mfaCode) {
        io.secrets.add(opts.mfaCode);
        return opts.mfaCode;
      }
      if (kind === 'SOFTWARE_TOKEN_MFA') {
        const computed = await totpFromSecret(io, opts);
        if (computed) return computed;
      }
      if (!canPrompt(io)) {
        const totp = kind === 'SOFTWARE_TOKEN_MFA';
        throw usageError(
          `Cognito asks for an MFA code (${kind}${destination ? `, sent to ${destination}` : ''})`,
          totp
            ? `Pass --mfa-code <code>, or the authenticator's secret in ${LOGIN_ENV.totpSecret} or on stdin ` +
                `with --totp-secret-stdin (login computes the code) ${noPromptNote(io)}.`
            : `Pass --mfa-code <code> ${noPromptNote(io)}.`,
        );
      }
      const label =
        kind === 'SOFTWARE_TOKEN_MFA'
          ? 'Authenticator app code'
          : `Code sent to ${destination ?? (kind === 'EMAIL_OTP' ? 'your email' : 'your phone')}`;
      const code = (await io.ctx.prompt(`${label}: `, { hidden: true })).trim();
      io.secrets.add(code);
      return code;
    },
  };
}
