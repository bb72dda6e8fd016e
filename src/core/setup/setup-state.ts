/**
 * The state the setup steps share (core/setup/setup-plan.ts and the step files beside it): what they find and make.
 */
import type { FoundPool, PoolSearch } from './pools.js';
import type { SetupNames } from './names.js';
import type { SetupResult } from './types.js';

export interface SetupFlags {
  withIdentity: boolean;
  dryRun: boolean;
}

/** What the setup steps find and make. */
export interface SetupState {
  names: SetupNames;
  options: SetupFlags;
  search: PoolSearch;
  pool?: FoundPool;
  result: SetupResult;
  existingClients: Map<string, string>;
  rsExists?: boolean;
  userExists?: boolean;
  wiExists?: boolean;
  cpExists?: boolean;
}

export const DRY = 'dry run: ';

/** The pool existed before this run (its parts may too). */
export const existingPool = (s: SetupState) => s.result.userPool.status === 'existing';

/** Skip reason for a step that only reads what an existing pool holds. */
export const onlyExisting = (s: SetupState) => (existingPool(s) ? undefined : 'the pool is new: nothing to look up');
