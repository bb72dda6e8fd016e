/**
 * The AWS shared config and credentials files, read from the run's env (never process.env): which files
 * (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials), which profile
 * (--profile > AWS_PROFILE > default) and its settings; and the one region resolution every command uses:
 * --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region > the ARN's.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { configError } from './errors.js';

/** Environment variables as the run sees them (the CLI context's env, not process.env). */
export type Env = Record<string, string | undefined>;

export interface ProfileFiles {
  config: string;
  credentials: string;
}

/** Where the shared files are, as the AWS CLI and SDKs look for them. */
export function profileFiles(env: Env): ProfileFiles {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

export interface Profile {
  name: string;
  /** Named by --profile or AWS_PROFILE (a missing one is an error), not the implicit `default`. */
  explicit: boolean;
  /** The profile's keys from the config file, then those the credentials file adds; undefined when in neither. */
  settings?: Record<string, string>;
  /** The file that holds the profile's region, when one does. */
  regionFile?: string;
  files: ProfileFiles;
}

/** The profile of this run and what the shared files say about it. Unreadable files count as empty. */
export function readProfile(env: Env, flag?: string): Profile {
  const files = profileFiles(env);
  const name = flag || env.AWS_PROFILE || 'default';
  const explicit = !!(flag || env.AWS_PROFILE);
  const fromConfig = parseIni(readText(files.config), true)[name];
  const fromCredentials = parseIni(readText(files.credentials), false)[name];
  const profile: Profile = { name, explicit, files };
  if (fromConfig || fromCredentials) profile.settings = { ...fromCredentials, ...fromConfig };
  if (fromConfig?.region) profile.regionFile = files.config;
  else if (fromCredentials?.region) profile.regionFile = files.credentials;
  return profile;
}

/** Throws the usage error for a profile named by --profile / AWS_PROFILE that neither file holds. */
export function requireProfile(profile: Profile): void {
  if (!profile.explicit || profile.settings) return;
  throw configError(
    `AWS profile "${profile.name}" not found (read ${profile.files.config} and ${profile.files.credentials})`,
    'Check the name (aws configure list-profiles), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the ' +
      'files that define it.',
  );
}

export interface RegionChoice {
  region: string;
  /** Where it came from, as the user would name it: "--region", "AWS_REGION", "profile dev in ~/.aws/config", … */
  source: string;
}

/** --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region > the ARN's. Undefined when none has one. */
export function resolveRegionChoice(
  env: Env,
  settings: { region?: string; profile?: string },
  fromArn?: string,
): RegionChoice | undefined {
  if (settings.region) return { region: settings.region, source: '--region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  const profile = readProfile(env, settings.profile);
  requireProfile(profile);
  const region = profile.settings?.region;
  if (region) return { region, source: `profile ${profile.name} in ${profile.regionFile}` };
  if (fromArn) return { region: fromArn, source: 'the ARN' };
  return undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The INI dialect of the AWS shared files: `[default]` and `[profile NAME]` in the config file (other sections, such as
 * `[sso-session X]`, are not profiles), `[NAME]` in the credentials file; `key = value`; `#`/`;` comments; indented
 * lines continue a nested setting (not needed here, skipped).
 */
export function parseIni(text: string, configFile: boolean): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;].*)?$/.test(raw) || /^\s/.test(raw)) continue;
    const section = raw.match(/^\[\s*([^\]]*?)\s*\]/);
    if (section) {
      const name = profileSection(section[1]!, configFile);
      if (name !== undefined && !out[name]) out[name] = {};
      current = name === undefined ? undefined : out[name];
      continue;
    }
    const kv = raw.match(/^([^=]+?)\s*=\s*(.*?)\s*$/);
    if (kv && current) current[kv[1]!.trim().toLowerCase()] = kv[2]!;
  }
  return out;
}

function profileSection(title: string, configFile: boolean): string | undefined {
  if (!configFile) return title;
  if (title === 'default') return 'default';
  const m = title.match(/^profile\s+(.+)$/);
  return m ? m[1]!.trim() : undefined;
}
