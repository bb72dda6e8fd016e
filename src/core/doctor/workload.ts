/** The workload identity's lines: it exists (GetWorkloadIdentity), and its return URLs for 3LO. */
import { MESSAGES, PATTERNS } from '../../wire.js';
import { controlSdk } from '../../sdk.js';
import { failLine, type AddCheck, type DoctorDeps } from './common.js';

export async function workloadChecks(
  workload: string,
  named: boolean,
  region: string,
  deps: DoctorDeps,
  add: AddCheck,
): Promise<void> {
  const label = `workload identity ${workload}`;
  const { GetWorkloadIdentityCommand } = controlSdk();
  try {
    const w = await (await deps.aws.control(region)).send(new GetWorkloadIdentityCommand({ name: workload }));
    add({
      id: 'workload.exists',
      status: 'pass',
      label: `${label} exists${named ? '' : " (the agent's)"}`,
      detail: w.workloadIdentityArn ?? workload,
    });
    returnUrlCheck(w.allowedResourceOauth2ReturnUrls ?? [], add);
  } catch (e) {
    add(
      failLine(
        'workload.exists',
        `${label} exists`,
        e,
        'GetWorkloadIdentity',
        `check the name and the region (${region}); list them: aws bedrock-agentcore-control ` +
          `list-workload-identities --region ${region}`,
      ),
    );
  }
}

function returnUrlCheck(urls: string[], add: AddCheck): void {
  const label = 'return URLs registered (allowedResourceOauth2ReturnUrls)';
  if (urls.length === 0) {
    add({
      id: 'workload.return-urls',
      status: 'warn',
      label,
      detail: `none: user-federation (3LO) token requests fail with "${MESSAGES.noReturnUrl}"`,
      fix:
        'register the URL your app or `agentcore-auth callback` serves: agentcore-auth exchange … ' +
        '--register-return-url (or UpdateWorkloadIdentity)',
    });
    return;
  }
  const bad = urls.filter((u) => !PATTERNS.returnUrl.test(u));
  if (bad.length) {
    add({
      id: 'workload.return-urls',
      status: 'fail',
      label,
      detail: `not URLs: ${bad.join(', ')}`,
      fix: 'register absolute URLs (scheme://host/path)',
    });
    return;
  }
  add({ id: 'workload.return-urls', status: 'pass', label, detail: urls.join(', ') });
}
