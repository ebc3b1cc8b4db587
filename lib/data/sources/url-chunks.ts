import { DriftlineError } from '../../errors';

/** A server that sends nothing for this long is given up on (and the activity retried). */
const IDLE_TIMEOUT_MS = 60_000;

/**
 * Streams a URL's body. A 4xx answer is a configuration error (no retry fixes a wrong URL);
 * 5xx, 408, 429, a refused connection or a stalled body are transient: the activity retries.
 */
export async function* urlChunks(url: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
  const aborted = signal ? AbortSignal.any([signal, idle.signal]) : idle.signal;
  try {
    const response = await fetch(url, { signal: aborted, redirect: 'follow' }).catch((error: Error) => {
      throw new Error(`Cannot fetch ${url}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    if (!response.ok) {
      const message = `${url} answered ${response.status} ${response.statusText}`.trim();
      const transient = response.status >= 500 || response.status === 408 || response.status === 429;
      await response.body?.cancel();
      throw transient ? new Error(message) : new DriftlineError('InvalidInput', message);
    }
    if (!response.body) return;
    try {
      for await (const chunk of response.body) {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(), IDLE_TIMEOUT_MS);
        yield chunk;
      }
    } catch (error) {
      const why = idle.signal.aborted ? `no data for ${IDLE_TIMEOUT_MS / 1000} s` : (error as Error).message;
      throw new Error(`Reading ${url} failed: ${why}`);
    }
  } finally {
    clearTimeout(timer);
  }
}
