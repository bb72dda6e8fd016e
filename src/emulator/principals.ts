/**
 * `principals:` of the config file: IAM identities besides the stack's own credentials (which may do anything), with
 * their keys, ARN and the actions their policy allows. The gateway authenticates SigV4 callers with them.
 */
import { ConfigError, known, obj, str, strList, unique } from './config-fields.js';

/** An IAM identity: `allow` holds `*`, `service:*` or `service:Action`. */
export interface PrincipalConfig {
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  allow: string[];
}

export function parsePrincipals(v: unknown, stackKeyId: string): PrincipalConfig[] {
  if (!Array.isArray(v))
    throw new ConfigError('principals', 'must be a list of { arn, accessKeyId, secretAccessKey, allow }');
  const out = v.map((e, i) => {
    const at = `principals[${i}]`;
    const o = obj(e, at);
    known(o, at, ['arn', 'accessKeyId', 'secretAccessKey', 'allow']);
    return {
      arn: str(o.arn, `${at}.arn`, {
        pattern: /^arn:aws:(iam|sts)::\d{12}:.+$/,
        patternText: 'an IAM user or role ARN (arn:aws:iam::ACCOUNT:user/NAME)',
      }),
      accessKeyId: str(o.accessKeyId, `${at}.accessKeyId`, {
        pattern: /^[A-Z0-9]{16,128}$/,
        patternText: 'an access key id',
      }),
      secretAccessKey: str(o.secretAccessKey, `${at}.secretAccessKey`, { min: 1 }),
      allow: strList(o.allow, `${at}.allow`, []),
    };
  });
  unique([...out, { accessKeyId: stackKeyId }], (p) => p.accessKeyId, 'principals');
  return out;
}
