/**
 * @module Why a provider gave no answer, in words an operator can act on (issue #11). workerd's own
 * text is `internal error; reference = …` for a name that does not resolve and `Network connection
 * lost.` for a refused port; those stay in the log, sanitised, beside the message that says what to fix.
 */
import { logEvent } from '../log.ts';
import { sanitise } from './sanitise.ts';
import { withoutQuery } from './url.ts';

export type FetchFailureKind = 'timed-out' | 'aborted' | 'name-not-resolved' | 'name-or-tls' | 'refused' | 'tls' | 'connection-lost' | 'could-not-connect';

export interface FetchFailure {
  kind: FetchFailureKind;
  /** For the status, an error or a `502 upstream_error`: names the URL origin, never a key or the raw text. */
  message: string;
  /** The runtime's own text (with its `cause`), sanitised: for the log line only. */
  detail: string;
}

/**
 * The runtime's words for each kind, first match wins. workerd has no error codes; Node and undici
 * (the node test project, `wrangler dev` tooling) put theirs in `cause.code`.
 */
const RUNTIME_WORDS: [FetchFailureKind, RegExp][] = [
  ['name-not-resolved', /ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS|could not resolve|name not resolved/i],
  ['refused', /ECONNREFUSED|connection refused/i],
  ['tls', /\bTLS\b|\bSSL\b|certificate|CERT_|handshake/i],
  ['timed-out', /ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|timed out/i],
  ['connection-lost', /Network connection lost|ECONNRESET|socket hang up|other side closed|EPIPE/i],
];
/** workerd's answer to a host that does not resolve, and (over https) to a failed TLS handshake. */
const WORKERD_INTERNAL = /^internal error; reference = /;

export interface ExplainOptions {
  /** The budget whose `AbortSignal.timeout` fired, when there was one. */
  timeoutMs?: number;
  /** Redacted from `detail` (`Config.secretValues`, or `entrySecrets(entry)`). */
  secrets?: readonly string[];
  /** The headers had arrived: the failure came while reading the body. */
  answered?: boolean;
}

/** What a rejected `fetch` to `url` (or a failed read of its body) means. */
export function explainFetchFailure(error: unknown, url: string, { timeoutMs, secrets = [], answered = false }: ExplainOptions = {}): FetchFailure {
  const { origin, protocol } = new URL(url);
  const detail = sanitise(rawText(error).replaceAll(url, withoutQuery(url)), secrets);
  const failure = (kind: FetchFailureKind, message: string): FetchFailure => ({ kind, message, detail });
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return failure('timed-out', `timed out waiting for ${origin}${timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`}`);
  }
  if (error instanceof DOMException && error.name === 'AbortError') return failure('aborted', `request to ${origin} aborted`);
  if (answered) return failure('connection-lost', `connection to ${origin} lost while reading the answer`);
  const connect = `could not connect to ${origin}`;
  const listening = `is the server running and listening on that port${protocol === 'https:' ? ', with https' : ''}?`;
  if (WORKERD_INTERNAL.test(detail)) {
    return protocol === 'https:'
      ? failure('name-or-tls', `${connect}: name not resolved or TLS failure (check the host name in the URL and that the server speaks https on that port with a valid certificate)`)
      : failure('name-not-resolved', `${connect}: name not resolved (check the host name in the URL)`);
  }
  switch (RUNTIME_WORDS.find(([, pattern]) => pattern.test(detail))?.[0]) {
    case 'name-not-resolved':
      return failure('name-not-resolved', `${connect}: name not resolved (check the host name in the URL)`);
    case 'refused':
      return failure('refused', `${connect}: connection refused (${listening})`);
    case 'tls':
      return failure('tls', `${connect}: TLS failure (does the server speak https on that port, with a valid certificate?)`);
    case 'timed-out':
      return failure('timed-out', `${connect}: timed out`);
    case 'connection-lost':
      return failure('connection-lost', `${connect}: connection refused or lost before an answer (${listening})`);
    default:
      return failure('could-not-connect', connect);
  }
}

/**
 * The one log line for a failed upstream fetch, list or call alike: the actionable message and,
 * beside it, what the runtime said.
 */
export function logFetchFailure(provider: string, purpose: 'list' | 'inference', url: string, failure: FetchFailure): void {
  logEvent('upstream_fetch_failed', { provider, purpose, url: withoutQuery(url), kind: failure.kind, message: failure.message, detail: failure.detail });
}

/** An error's message with its `cause` chain (undici hides the code there: `fetch failed` ← `ECONNREFUSED`). */
function rawText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(': ');
}
