/** @module Runs async tasks over a list with at most N at once, results in the list's order. */

export async function inSlots<T, R>(items: readonly T[], slots: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  // One iterator shared by every slot: each takes the next item as soon as it is free.
  const queue = items.entries();
  const slot = async () => {
    for (const [index, item] of queue) results[index] = await task(item);
  };
  await Promise.all(Array.from({ length: Math.min(slots, items.length) }, slot));
  return results;
}
