/**
 * @module Drives one URL with autocannon for a fixed time and summarises what came back. Runs in
 * this process (the machine has few cores; a worker thread would take one from the server), and
 * keeps every response time itself: autocannon's own histogram rounds to whole milliseconds, too
 * coarse for a 1.2x comparison of p99s of a few milliseconds.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Status every answer should have; anything else is counted as unexpected. */
  expectStatus: number;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers with another status than `expectStatus`, plus connection errors and timeouts. */
  failures: number;
  bytesPerAnswer: number;
}

export async function drive({ url, connections, durationSeconds, headers = {}, expectStatus }: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  let failures = 0;
  let bytes = 0;
  const instance = autocannon({ url, connections, duration: durationSeconds, headers, timeout: 10 });
  instance.on('response', (_client, status, responseBytes, responseTimeMs) => {
    if (status !== expectStatus) failures++;
    times.push(responseTimeMs);
    bytes += responseBytes;
  });
  const result = await instance;
  failures += result.errors + result.timeouts;
  times.sort((a, b) => a - b);
  return {
    // autocannon's `duration` is the measured wall time in seconds, start to last answer.
    rps: times.length / result.duration,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    requests: times.length,
    failures,
    bytesPerAnswer: times.length === 0 ? 0 : bytes / times.length,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return Number.isInteger(mid) ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[Math.floor(mid)] ?? Number.NaN);
}
