/**
 * @module Where this isolate's usage batches go: the coordinator, which sums them. Without one bound
 * (or while it is held off as unreachable) calls are not counted.
 */
import { coordinatorOf, noteUnreachable } from '../coordinator/client.ts';
import type { Env } from '../env.ts';
import type { SendUsage } from './batch.ts';

/** Isolate cache: one sender per binding, so the batch is sent through the same function every time. */
const senders = new WeakMap<object, SendUsage>();

export function usageSender(env: Env): SendUsage | undefined {
  const namespace = env.COORDINATOR;
  if (namespace === undefined) return undefined;
  let send = senders.get(namespace);
  if (send === undefined) {
    send = async (rows) => {
      const coordinator = coordinatorOf(namespace);
      if (coordinator === undefined) throw new Error('the coordinator is held off as unreachable');
      try {
        await coordinator.addUsage(rows);
      } catch (error) {
        noteUnreachable(error, 'usage');
        throw error;
      }
    };
    senders.set(namespace, send);
  }
  return send;
}
