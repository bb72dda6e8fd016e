/**
 * The official Cedar engine (@cedar-policy/cedar-wasm, its Node.js entry), loaded on first use: requiring it compiles
 * a 4 MB WebAssembly module (~60 ms), which a CLI command that never evaluates a policy must not pay. Everything that
 * evaluates or validates goes through `cedar()`.
 */
import { createRequire } from 'node:module';

export type CedarWasm = typeof import('@cedar-policy/cedar-wasm/nodejs');
export type { DetailedError, SourceLocation } from '@cedar-policy/cedar-wasm/nodejs';

let loaded: CedarWasm | undefined;

export function cedar(): CedarWasm {
  loaded ??= createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs') as CedarWasm;
  return loaded;
}

/** True once the engine is loaded (tests of the lazy load). */
export function cedarLoaded(): boolean {
  return loaded !== undefined;
}
