/** @module The bench's targets, its contenders' names, a verdict's shape and the number formats every report section shares. */


/** The targets. */
export const TARGET = {
  throughputRatio: 0.95,
  p99Ratio: 1.2,
  coldSlackMs: 15,
  staleMs: 50,
  /** A refresh's CPU against parsing the upstream bodies, serialising and hashing the list once. */
  refreshCpuRatio: 1.3,
  refreshCpuModels: 3_000,
  /** A keyed list hit (a key with a view) against an unkeyed one, same run. */
  keyedRatio: 0.9,
  /** A forwarded call's p50 (time to first byte, or to the whole answer) against a one-fetch forwarder's: ratio, plus slack. */
  ttfbRatio: 1.1,
  ttfbSlackMs: 1,
};

/** The hot-path contender that sends a client key whose view keeps every provider. */
export const KEYED = 'models-edge keyed';

/** The passthrough contenders. */
export const EDGE = 'models-edge';

export const FORWARDER = 'forwarder';

/** The forwarder against itself writing one log line behind each answer, under `wrangler dev` and in workerd alone. */
export const LOG_LINE_CONTENDERS = {
  dev: 'forwarder, wrangler dev',
  devLogging: 'forwarder + log line, wrangler dev',
  plain: 'forwarder, workerd alone',
  plainLogging: 'forwarder + log line, workerd alone',
};

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

export function signed(n: number, digits: number): string {
  const rounded = Number(n.toFixed(digits));
  return `${rounded >= 0 ? '+' : '−'}${fixed(Math.abs(rounded), digits)}`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}
