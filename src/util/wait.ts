/** Polling until a condition holds, with a message that says what was awaited. */

/** Thrown from a probe to end the wait at once (the condition can no longer come true). */
export class WaitAborted extends Error {}

/**
 * Calls `probe` every `intervalMs` until it returns a truthy value (returned) or `timeoutMs`
 * passes (an error naming `what` and the probe's last error). Errors from the probe count as
 * "not yet", except WaitAborted, which ends the wait.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    // A probe that never answers (a server that accepts and stays silent) still ends the wait.
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('no answer before the deadline')),
        Math.max(deadline - Date.now(), 0),
      );
    });
    try {
      const value = await Promise.race([probe(), silent]);
      if (value) return value;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      last = error;
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}` +
      (last ? ` (last error: ${(last as Error).message})` : ''),
  );
}
