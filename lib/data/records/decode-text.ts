import { DriftlineError } from '../../errors';

const LF = 10;
/** Binary formats announce themselves in their first bytes (PNG's NUL is at offset 8). */
const SIGNATURE_BYTES = 16;

/**
 * Decodes a byte stream as UTF-8 text, chunk by chunk (a character split between chunks is kept
 * for the next). Bytes that are not UTF-8 become U+FFFD, and the record holding them is
 * quarantined, so one bad row does not sink the file. A NUL byte among the first bytes (where
 * binary formats put their signature) or in the header line means a binary file (or UTF-16):
 * that is refused outright rather than turned into a million bad rows. A NUL further on is one
 * damaged row, quarantined by the record readers.
 */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>, origin: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of chunks) {
    if (first && chunk.length > 0) {
      const nul = chunk.indexOf(0);
      const headerEnd = chunk.indexOf(LF);
      if (nul !== -1 && (nul < SIGNATURE_BYTES || headerEnd === -1 || nul < headerEnd)) {
        throw new DriftlineError('InvalidInput', `${origin} looks like a binary file, not text (a NUL byte at offset ${nul})`);
      }
      first = false;
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}
