/**
 * @module A loopback proxy in front of an upstream that can hold requests until the test opens it.
 * While it holds, the upstream provably has not answered: a read that returns meanwhile did not wait
 * for it, which no timing threshold could show as reliably.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Gate {
  origin: string;
  /** Requests that reached the gate, held or not. */
  readonly arrivals: number;
  /** Holds every request from now on until `open()`. */
  hold(): void;
  /** Lets held and later requests through. */
  open(): void;
  stop(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  let arrivals = 0;
  let opened: Promise<void> = Promise.resolve();
  let release = () => {};
  const server = createServer(async (req, res) => {
    arrivals++;
    await opened;
    try {
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const upstream = await fetch(`${target}${req.url ?? '/'}`, { headers });
      const body = new Uint8Array(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('Content-Type') ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get arrivals() {
      return arrivals;
    },
    hold() {
      opened = new Promise((resolve) => (release = resolve));
    },
    open() {
      release();
      opened = Promise.resolve();
    },
    stop: () =>
      new Promise((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
