/**
 * renderError under --debug: the stack shown is the one of the error that was thrown (and of each cause), not the
 * wrapper's.
 */
import { describe, expect, it } from 'vitest';
import { AgentcoreAuthError } from '../../src/core/errors.js';
import { SecretRegistry } from '../../src/core/redact.js';
import { Ui } from '../../src/cli/render/ui.js';
import { renderError } from '../../src/cli/run.js';
import { BufferStream } from '../helpers/context.js';

function render(e: unknown, debug = true): { code: number; text: string } {
  const stream = new BufferStream();
  const ui = new Ui(stream, { color: false, quiet: false, debug, showSecrets: false, secrets: new SecretRegistry() });
  const code = renderError(e, ui, { json: false, debug, aborted: false });
  return { code, text: stream.text() };
}

function thrownInHere(): TypeError {
  try {
    (undefined as unknown as { clientId: string }).clientId;
  } catch (e) {
    return e as TypeError;
  }
  throw new Error('unreachable');
}

describe('renderError --debug (issue 12)', () => {
  it("an unexpected error prints its own stack, not renderError's", () => {
    const e = thrownInHere();
    const { code, text } = render(e);
    expect(code).toBe(1);
    expect(text).toContain('internal error: Cannot read properties of undefined');
    expect(text).toContain('at thrownInHere');
    expect(text).not.toMatch(/at renderError/);
  });

  it('prints the stack of every cause of an AgentcoreAuthError', () => {
    const inner = thrownInHere();
    const err = new AgentcoreAuthError('ERR_CONFIG', 'bad config', { cause: inner });
    const { code, text } = render(err);
    expect(code).toBe(2);
    expect(text).toContain('cause: TypeError: Cannot read properties of undefined');
    expect(text).toContain('at thrownInHere');
  });

  it('without --debug no stack is printed', () => {
    const { text } = render(thrownInHere(), false);
    expect(text).not.toContain('at thrownInHere');
    expect(text).toContain('hint: This is a bug');
  });
});
