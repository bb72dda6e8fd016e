/**
 * The workload identity's allowedResourceOauth2ReturnUrls: check, add, remove. UpdateWorkloadIdentity replaces the
 * whole list, so every change is read-merge-write (the list is re-read right before writing).
 */
import { fromAwsError } from '../aws.js';
import type { IdentityIo } from './io.js';
import { controlSdk } from '../../sdk.js';

export async function getReturnUrls(io: IdentityIo, workloadName: string, region?: string): Promise<string[]> {
  const cp = await io.aws.control(region);
  const { GetWorkloadIdentityCommand } = controlSdk();
  try {
    const out = await cp.send(new GetWorkloadIdentityCommand({ name: workloadName }), { abortSignal: io.ctx.signal });
    return out.allowedResourceOauth2ReturnUrls ?? [];
  } catch (e) {
    throw fromAwsError(e, 'GetWorkloadIdentity');
  }
}

async function writeReturnUrls(
  io: IdentityIo,
  workloadName: string,
  urls: string[],
  region?: string,
): Promise<string[]> {
  const cp = await io.aws.control(region);
  const { UpdateWorkloadIdentityCommand } = controlSdk();
  try {
    const out = await cp.send(
      new UpdateWorkloadIdentityCommand({ name: workloadName, allowedResourceOauth2ReturnUrls: urls }),
      {
        abortSignal: io.ctx.signal,
      },
    );
    return out.allowedResourceOauth2ReturnUrls ?? urls;
  } catch (e) {
    throw fromAwsError(e, 'UpdateWorkloadIdentity');
  }
}

/** Add `url` unless present. Returns the lists before and after, and whether this call added it. */
export async function addReturnUrl(
  io: IdentityIo,
  workloadName: string,
  url: string,
  region?: string,
): Promise<{ before: string[]; after: string[]; added: boolean }> {
  const before = await getReturnUrls(io, workloadName, region);
  if (before.includes(url)) return { before, after: before, added: false };
  const after = await writeReturnUrls(io, workloadName, [...before, url], region);
  return { before, after, added: true };
}

/** Remove `url` if present, keeping every other entry (including any added meanwhile by someone else). */
export async function removeReturnUrl(
  io: IdentityIo,
  workloadName: string,
  url: string,
  region?: string,
): Promise<{ before: string[]; after: string[]; removed: boolean }> {
  const before = await getReturnUrls(io, workloadName, region);
  if (!before.includes(url)) return { before, after: before, removed: false };
  const after = await writeReturnUrls(
    io,
    workloadName,
    before.filter((u) => u !== url),
    region,
  );
  return { before, after, removed: true };
}

/** The AWS CLI command that registers `url` while keeping the existing entries (the "exact fix"). */
export function registerCommand(workloadName: string, existing: string[], url: string, region?: string): string {
  const urls = [...existing.filter((u) => u !== url), url].map(shellQuote).join(' ');
  return `aws bedrock-agentcore-control update-workload-identity${
    region ? ` --region ${region}` : ''
  } --name ${shellQuote(workloadName)} --allowed-resource-oauth2-return-urls ${urls}`;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
