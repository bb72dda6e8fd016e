import { describe, expect, it } from 'vitest';
import { noDisplay, openInBrowser } from '../../src/cli/context.js';

describe('opening a browser where there is none', () => {
  it('a Linux shell without a graphical session is said so, not waited on', async () => {
    expect(noDisplay({}, 'linux')).toMatch(
      /no graphical session here: DISPLAY and WAYLAND_DISPLAY are unset, and BROWSER is not set/,
    );
    expect(noDisplay({ DISPLAY: ':0' }, 'linux')).toBeUndefined();
    expect(noDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeUndefined();
    expect(noDisplay({ WSL_DISTRO_NAME: 'Ubuntu' }, 'linux')).toBeUndefined(); // `open` reaches Windows from WSL
    expect(noDisplay({}, 'darwin')).toBeUndefined();
    expect(noDisplay({}, 'win32')).toBeUndefined();
    if (process.platform === 'linux') {
      await expect(openInBrowser('http://127.0.0.1:9/x', {})).rejects.toThrow(/no graphical session/);
    }
  });
});
