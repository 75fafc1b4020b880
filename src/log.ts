/** @module One structured JSON line per event; Workers Logs indexes its fields. */

export function logEvent(event: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ event, ...fields }));
}
