// Library noise (the AWS SDK's Node-version warning, oidc-provider's WARNING/NOTICE lines) is not test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Runs `fn` (an import of oidc-provider, a `new Provider(…)`) with oidc-provider's own start-up lines dropped:
 * "oidc-provider WARNING: a quick start development-only …", "… Unsupported runtime …", "oidc-provider NOTICE: …",
 * which it prints through console.warn/console.info when loaded and when a provider is constructed. Only lines that
 * start with "oidc-provider " are dropped, only while `fn` runs; anything else written meanwhile (a real error from
 * the test, another library's message) goes through as usual.
 */
export async function withoutOidcProviderNotices<T>(fn: () => T | Promise<T>): Promise<T> {
  const saved = { warn: console.warn, info: console.info, log: console.log };
  const filter =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      if (typeof args[0] === 'string' && args[0].replace(/^\x1b\[[0-9;]*m/, '').startsWith('oidc-provider ')) return;
      write(...args);
    };
  console.warn = filter(saved.warn);
  console.info = filter(saved.info);
  console.log = filter(saved.log);
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}
