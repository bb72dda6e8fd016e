// oidc-provider ships no type declarations; the emulator uses it through a narrow, locally-typed surface.
declare module 'oidc-provider';
