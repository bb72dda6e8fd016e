/**
 * `invoke`'s payload: an argument (JSON, or plain text wrapped as {"prompt": …}), --payload-file (bytes, checked by
 * size before it is read), or - for stdin (bytes; text unless --content-type says otherwise). Sizes are checked
 * against InvokeAgentRuntime's limit before anything is parsed or sent.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { AgentcoreAuthError, usageError } from '../core/errors.js';
import { checkPayloadSize } from '../core/runtime/request.js';
import { readStdinBytes, type Io } from './io.js';

export interface PayloadFlags {
  payloadFile?: string;
  contentType?: string;
  bearerToken?: string;
}

export interface Payload {
  bytes: Uint8Array;
  /** Plain text sent as {"prompt": text}. */
  wrapped: boolean;
  /** Where curl reads it from: the file, or - (binary stdin). */
  file?: string;
}

export async function readPayload(io: Io, payload: string | undefined, opts: PayloadFlags): Promise<Payload> {
  if (payload !== undefined && opts.payloadFile !== undefined)
    throw usageError('pass the payload as an argument or with --payload-file, not both');
  if (opts.payloadFile !== undefined) return payloadFile(io, opts.payloadFile);
  if (payload === undefined) {
    throw usageError(
      'no payload',
      'Pass it as an argument (\'{"prompt":"hi"}\' or plain text), with --payload-file FILE, or - to read stdin.',
    );
  }
  let bytes: Uint8Array = Buffer.from(payload, 'utf8');
  if (payload === '-') {
    if (opts.bearerToken === '-')
      throw usageError(
        'stdin cannot carry both the payload and the bearer token',
        'Pass the token with --bearer-token TOKEN or --bearer NAME.',
      );
    // Bytes, never text: a binary payload is sent exactly as read, as --payload-file sends a file.
    bytes = await readStdinBytes(io.ctx);
  }
  // Sizes are checked before parsing or encoding (both are slow on 100 MB); wrapping only adds bytes.
  checkPayloadSize(bytes.byteLength);
  const text = utf8Text(bytes);
  // Not text: curl should read it from stdin too (--data-binary @-), not print it.
  const binary = text === undefined ? { file: '-' } : {};
  if (opts.contentType !== undefined) return { bytes, wrapped: false, ...binary };
  if (text === undefined) {
    throw usageError(
      'the payload on stdin is not UTF-8 text, and without --content-type it would be sent as JSON',
      'Pass --content-type (e.g. --content-type application/octet-stream) to send the bytes unchanged, ' +
        'or use --payload-file FILE.',
    );
  }
  try {
    JSON.parse(text);
  } catch {
    const wrapped = JSON.stringify({ prompt: text.replace(/\n$/, '') });
    checkPayloadSize(Buffer.byteLength(wrapped));
    return { bytes: new TextEncoder().encode(wrapped), wrapped: true };
  }
  return { bytes, wrapped: false };
}

/** --payload-file: by its size first, so a file over the limit is refused without being read. */
async function payloadFile(io: Io, file: string): Promise<Payload> {
  const path = isAbsolute(file) ? file : join(io.ctx.cwd, file);
  try {
    const st = await stat(path);
    if (st.isFile()) checkPayloadSize(st.size, `--payload-file ${file}`);
    return { bytes: new Uint8Array(await readFile(path)), wrapped: false, file };
  } catch (e) {
    if (e instanceof AgentcoreAuthError) throw e;
    throw new AgentcoreAuthError(
      'ERR_INPUT',
      `cannot read --payload-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** The bytes as text when they are valid UTF-8, else undefined (a byte-order mark is kept, as before). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
