/**
 * @module The coordinator's one alarm, shared by everything it schedules (key expiries and mirrors,
 * webhook retries): a time is only ever moved earlier, and the alarm handler runs every task and
 * schedules the earliest next time of each. An alarm that fires early runs tasks with nothing due:
 * harmless.
 */

/** Sets the alarm for `at` unless one is already set sooner. */
export async function alarmBy(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || at < current) await storage.setAlarm(at);
}
