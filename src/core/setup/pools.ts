/**
 * Finding what setup made, by exact name and tag, never by pattern — the steps `setup` and `teardown` both start with:
 *   ListUserPools (every page) → Name == agentcore-auth-NAME → DescribeUserPool → UserPoolTags[agentcore-auth:setup]
 * An untagged pool of the same name is reported and left alone. Plus the helpers their steps share.
 */
import { fromAwsError } from '../aws.js';
import { classify } from '../classify.js';
import type { PlanStep } from '../plan.js';
import { cognitoSdk } from '../../sdk.js';
import { IDENTITY_TAG_KEY, type SetupNames } from './names.js';
import type { SetupDeps } from './types.js';

export interface FoundPool {
  id: string;
  arn?: string;
  name: string;
  domain?: string;
  customDomain?: string;
  /** The pool carries IDENTITY_TAG_KEY: setup --with-identity ran on it. */
  withIdentity: boolean;
}

/** What the search steps find. */
export interface PoolSearch {
  /** Pools with the exact name. */
  candidates: string[];
  /** Those that carry setup's tag. */
  tagged: FoundPool[];
  /** Those that do not (never touched). */
  ignored: string[];
}

export function emptySearch(): PoolSearch {
  return { candidates: [], tagged: [], ignored: [] };
}

/** An AWS call whose failure is named after its operation (fromAwsError). */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw fromAwsError(e, operation);
  }
}

export function isDomainTaken(e: unknown): boolean {
  return classify(e).kind === 'cognito-domain-taken';
}

export function issuerOf(base: string, poolId: string): string {
  return `${base.replace(/\/+$/, '')}/${poolId}`;
}

export function hostedUiUrl(prefix: string, region: string): string {
  return `https://${prefix}.auth.${region}.amazoncognito.com`;
}

/** Every item of a paginated list: `page(token)` returns one page's items and the next token. */
export async function allPages<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...p.items);
    token = p.next;
  } while (token);
  return out;
}

/** ListUserPools, every page: the pools with the exact name. */
export function listPoolsStep<S extends { search: PoolSearch }>(deps: SetupDeps, names: SetupNames): PlanStep<S> {
  return {
    operation: 'ListUserPools',
    inputs: () => ({ name: names.poolName }),
    run: async (s) => {
      const sdk = cognitoSdk();
      let pages = 0;
      const pools = await awsCall('ListUserPools', () =>
        allPages(async (token) => {
          pages++;
          const out = await deps.cognito.send(
            new sdk.ListUserPoolsCommand({ MaxResults: 60, ...(token ? { NextToken: token } : {}) }),
          );
          return { items: out.UserPools ?? [], ...(out.NextToken ? { next: out.NextToken } : {}) };
        }),
      );
      s.search.candidates = pools.filter((p) => p.Name === names.poolName && p.Id).map((p) => p.Id!);
      const n = s.search.candidates.length;
      return {
        outputs: { pages: String(pages) },
        note: n ? `${n} pool(s) named ${names.poolName}` : `no pool named ${names.poolName}`,
      };
    },
  };
}

/** DescribeUserPool for each pool of that name: setup's tag, or left alone. */
export function describePoolsStep<S extends { search: PoolSearch }>(deps: SetupDeps, names: SetupNames): PlanStep<S> {
  const tag = `${names.tag.key}=${names.tag.value}`;
  return {
    operation: 'DescribeUserPool',
    skip: (s) => (s.search.candidates.length ? undefined : `no pool named ${names.poolName}`),
    inputs: (s) => ({ pools: s.search.candidates.join(', ') }),
    run: async (s, step) => {
      const sdk = cognitoSdk();
      for (const id of s.search.candidates) {
        const out = await awsCall('DescribeUserPool', () =>
          deps.cognito.send(new sdk.DescribeUserPoolCommand({ UserPoolId: id })),
        );
        const p = out.UserPool;
        if (p?.UserPoolTags?.[names.tag.key] !== names.tag.value) {
          s.search.ignored.push(id);
          step.call('DescribeUserPool', { pool: id, found: `no ${tag} tag: not made by setup, left alone` });
          continue;
        }
        s.search.tagged.push({
          id,
          name: p?.Name ?? names.poolName,
          withIdentity: p?.UserPoolTags?.[IDENTITY_TAG_KEY] === 'true',
          ...(p?.Arn ? { arn: p.Arn } : {}),
          ...(p?.Domain ? { domain: p.Domain } : {}),
          ...(p?.CustomDomain ? { customDomain: p.CustomDomain } : {}),
        });
        step.call('DescribeUserPool', { pool: id, found: 'made by setup', domain: p?.Domain });
      }
      return { outputs: { tagged: String(s.search.tagged.length), untagged: String(s.search.ignored.length) } };
    },
  };
}
