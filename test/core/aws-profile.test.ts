/**
 * The AWS shared-file reader (core/aws-profile.ts): the INI dialect the AWS CLI writes, and the region order.
 */
import { describe, expect, it } from 'vitest';
import { parseIni, resolveRegionChoice } from '../../src/core/aws-profile.js';

describe('parseIni', () => {
  it('config file: [default] and [profile X] are profiles; sso-session and bare sections are not', () => {
    const text = [
      '# comment',
      '[default]',
      'region = us-east-1 ',
      '; another comment',
      '[profile  dev ]',
      'Region=eu-west-1',
      's3 =',
      '  max_concurrent_requests = 20',
      '[sso-session corp]',
      'sso_region = us-west-2',
      '[stray]',
      'region = ap-south-1',
    ].join('\r\n');
    expect(parseIni(text, true)).toEqual({
      default: { region: 'us-east-1' },
      dev: { region: 'eu-west-1', s3: '' },
    });
  });

  it('credentials file: every section is a profile', () => {
    expect(parseIni('[dev]\naws_access_key_id = AKID\n', false)).toEqual({ dev: { aws_access_key_id: 'AKID' } });
  });
});

describe('resolveRegionChoice', () => {
  const env = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
  it('--region > AWS_REGION > AWS_DEFAULT_REGION > the ARN, each named', () => {
    const all = { ...env, AWS_REGION: 'r2', AWS_DEFAULT_REGION: 'r3' };
    expect(resolveRegionChoice(all, { region: 'r1' }, 'r5')).toEqual({ region: 'r1', source: '--region' });
    expect(resolveRegionChoice(all, {}, 'r5')).toEqual({ region: 'r2', source: 'AWS_REGION' });
    expect(resolveRegionChoice({ ...env, AWS_DEFAULT_REGION: 'r3' }, {}, 'r5')?.source).toBe('AWS_DEFAULT_REGION');
    expect(resolveRegionChoice(env, {}, 'r5')).toEqual({ region: 'r5', source: 'the ARN' });
    expect(resolveRegionChoice(env, {})).toBeUndefined();
  });

  it('a named profile in neither file: exit 2 naming it and both files', () => {
    expect(() => resolveRegionChoice(env, { profile: 'nosuch' })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: 'AWS profile "nosuch" not found (read /nonexistent/config and /nonexistent/credentials)',
      }),
    );
  });
});
