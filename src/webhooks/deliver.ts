/**
 * @module One try at delivering a batch to a webhook: a signed POST, never redirected (a hook's URL is
 * the one configured; a redirect could carry the batch anywhere), bounded in time. The outcome is a
 * value (the status, or what went wrong, naming the receiver by origin only) for schedule.ts to judge.
 */
import { SIGNATURE_HEADER, signatureHeader } from './sign.ts';

/** A receiver gets this long to answer; a slow one is retried like a failing one. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface Attempt {
  /** The receiver's status; null when there was none to read (refused, timed out). */
  status: number | null;
  /** What went wrong, for the status page; null when delivered. Never the hook's full URL. */
  error: string | null;
}

export async function deliver(url: string, secret: string, body: string, nowMs: number, fetcher: typeof fetch = fetch): Promise<Attempt> {
  const where = `POST ${new URL(url).origin}`;
  try {
    const response = await fetcher(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'models-edge-webhooks', [SIGNATURE_HEADER]: await signatureHeader(secret, body, nowMs / 1000) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    // The receiver's body is not ours to keep; only its status matters.
    await response.body?.cancel();
    if (response.ok) return { status: response.status, error: null };
    const redirected = response.status >= 300 && response.status < 400;
    return { status: response.status, error: `${where}: ${response.status}${redirected ? ' redirect (not followed)' : ''}` };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { status: null, error: `${where}: ${timedOut ? `no answer within ${DELIVERY_TIMEOUT_MS} ms` : 'the request failed'}` };
  }
}
