/**
 * The stack's own admin endpoints: `/_local/health` (GET → `{"status":"ok"}`) and the fault switch `/_local/faults`
 * (loopback callers only): GET the rules and counts, PUT `{rules, latencyMs, latencyMatch}` to replace all, POST one
 * rule, DELETE to clear. The same settings come from `config.faults`.
 */
import { parseConfig, parseFaultRule } from './config.js';
import { sendAwsError, sendJson } from './respond.js';
import { jsonBody, type Faults, type Handler } from './server.js';

function fromLoopback(remoteAddress: string | undefined): boolean {
  const ra = remoteAddress ?? '';
  return /^(::ffff:)?127\./.test(ra) || ra === '::1';
}

export function createAdminHandler(faults: Faults): Handler {
  return async (req, res) => {
    const path = req.url.pathname;
    if (!path.startsWith('/_local/')) return false;
    if (path === '/_local/health') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (path !== '/_local/faults') return false;
    if (!fromLoopback(req.raw.socket.remoteAddress)) {
      sendAwsError(res, 403, 'AccessDeniedException', 'The fault switch is available to loopback callers only');
      return true;
    }
    try {
      if (req.method === 'PUT') faults.set(parseConfig({ faults: jsonBody(req) ?? {} }).faults);
      else if (req.method === 'POST') faults.add(parseFaultRule(jsonBody(req) ?? {}, 'rule'));
      else if (req.method === 'DELETE') faults.clear();
      else if (req.method !== 'GET') {
        sendAwsError(
          res,
          405,
          'ValidationException',
          'Use GET, PUT (replace all), POST (add a rule) or DELETE (clear)',
        );
        return true;
      }
    } catch (e) {
      sendAwsError(res, 400, 'ValidationException', (e as Error).message);
      return true;
    }
    sendJson(res, 200, faults.snapshot());
    return true;
  };
}
