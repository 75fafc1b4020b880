/**
 * @module The worker isolate's JavaScript heap, read through wrangler's inspector (the DevTools
 * protocol). workerd has no `HeapProfiler.collectGarbage`, but taking a heap snapshot collects
 * garbage first, so the size read right after one is what the isolate really holds.
 */

const CALL_TIMEOUT_MS = 30_000;

export interface HeapInspector {
  /** V8's used heap of the worker's isolate after a full collection, in bytes. */
  liveHeapBytes(): Promise<number>;
  /** V8's sampling CPU profile of the isolate while `during` runs: self time in ms per function. */
  selfTimes(during: () => Promise<unknown>, intervalMicros?: number): Promise<Map<string, number>>;
  /** V8's raw sampling CPU profile of the isolate while `during` runs. */
  profile(during: () => Promise<unknown>, intervalMicros?: number): Promise<CpuProfile>;
  /** The same profile, each function charged with its own time and its callees' (a sample counts once per function on its stack). */
  totalTimes(during: () => Promise<unknown>, intervalMicros?: number): Promise<Map<string, number>>;
  close(): void;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** `path`: wrangler's inspector proxy serves `/ws`; workerd's own serves the service's name. */
export async function connectInspector(port: number, path = '/ws'): Promise<HeapInspector> {
  // The inspector accepts only local DevTools origins; Node's WebSocket takes headers as an extension.
  const init = { headers: { Origin: 'http://127.0.0.1' } } as unknown as string[];
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, init);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error(`inspector on port ${port} refused the connection`)));
  });
  let nextId = 0;
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id !== undefined) waiting.get(message.id)?.(message);
  });

  function call(method: string, params: object = {}): Promise<unknown> {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} got no answer in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (message.error) reject(new Error(`inspector: ${method}: ${message.error.message}`));
        else resolve(message.result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async function profiled(during: () => Promise<unknown>, intervalMicros: number): Promise<CpuProfile> {
    await call('Profiler.enable');
    await call('Profiler.setSamplingInterval', { interval: intervalMicros });
    await call('Profiler.start');
    await during();
    return ((await call('Profiler.stop')) as { profile: CpuProfile }).profile;
  }

  return {
    async liveHeapBytes() {
      // The snapshot itself arrives as chunk events, which are simply not kept.
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    async selfTimes(during, intervalMicros = 50) {
      const profile = await profiled(during, intervalMicros);
      const names = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
      const self = new Map<string, number>();
      // timeDeltas[i] is the time before sample i; it is charged to the function sampled at i.
      profile.samples.forEach((id, i) => {
        const name = names.get(id) ?? '(unknown)';
        self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      return self;
    },
    profile: (during, intervalMicros = 50) => profiled(during, intervalMicros),
    async totalTimes(during, intervalMicros = 50) {
      const profile = await profiled(during, intervalMicros);
      const parent = new Map<number, number>();
      for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
      const names = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
      const total = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const seen = new Set<string>();
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(names.get(at) ?? '(unknown)');
        for (const name of seen) total.set(name, (total.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      return total;
    },
    close: () => socket.close(),
  };
}

/** `function (file:line)` with the file's path from the repository root, or V8's own name for its states. */
function frameName({ functionName, url, lineNumber }: { functionName: string; url: string; lineNumber: number }): string {
  if (url === '') return functionName || '(anonymous)';
  const file = url.replace(/^.*?\/(src|bench|scripts|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})`;
}
