export declare const CHROMIUM_CANDIDATES: string[];
export declare const CHROMIUM_INSTALL_HINT: string;
export declare function findChromium(
  env?: Record<string, string | undefined>,
): { path: string; error?: undefined } | { error: string; path?: undefined };
