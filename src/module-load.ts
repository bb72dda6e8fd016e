/**
 * Loading a large ES-module graph at start-up (the demo's modules, oidc-provider): by require() where Node can
 * (20.19+, 22.12+: require of ES modules), whose synchronous loader reads and links the graph without the thread-pool
 * round trip import() makes for every file (about 80 ms less for oidc-provider's 183 files here); both share Node's
 * module cache. import() on a Node without require(esm), and where there is no built .js to require (the tests run
 * the TypeScript sources). Neutral: the CLI and the local stack both use it.
 */
export async function requireOrImport<T>(required: () => T, imported: () => Promise<T>): Promise<T> {
  try {
    return required();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'MODULE_NOT_FOUND') throw e;
    return imported();
  }
}
