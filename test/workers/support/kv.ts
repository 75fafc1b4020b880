/** @module Looks at the runtime's KV from a test; never replaces it. */
import { tryReadList, type StoredList } from '../../../src/cache/kv.ts';

/** The stored list as the worker reads it: null when there is none (or KV failed). */
export async function readList(kv: KVNamespace): Promise<StoredList | null> {
  const read = await tryReadList(kv);
  return read.ok ? read.value : null;
}

export interface PutCall {
  key: string;
  options: KVNamespacePutOptions | undefined;
}

/** The real binding, with every `put`'s key and options recorded on the way through. */
export function recordingKv(kv: KVNamespace): { kv: KVNamespace; puts: PutCall[] } {
  const puts: PutCall[] = [];
  const recording = new Proxy(kv, {
    get(target, property) {
      if (property === 'put') {
        return (key: string, value: string, options?: KVNamespacePutOptions) => {
          puts.push({ key, options });
          return target.put(key, value, options);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { kv: recording, puts };
}

export type KvOperations = 'reads' | 'writes' | 'both';

const FAILING: Record<KvOperations, string[]> = {
  reads: ['get', 'getWithMetadata', 'list'],
  writes: ['put', 'delete'],
  both: ['get', 'getWithMetadata', 'list', 'put', 'delete'],
};

/** The real binding, with reads, writes or both failing as in a KV outage (`KV GET failed: 500 …`). */
export function failingKv(kv: KVNamespace, message: string, failing: KvOperations = 'reads'): KVNamespace {
  const names = FAILING[failing];
  return new Proxy(kv, {
    get(target, property) {
      if (typeof property === 'string' && names.includes(property)) return () => Promise.reject(new Error(message));
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function storedKeys(kv: KVNamespace): Promise<string[]> {
  return (await kv.list()).keys.map((key) => key.name);
}
