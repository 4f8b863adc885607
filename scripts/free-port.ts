import { createServer } from 'node:net';

/**
 * Ports handed to child processes come from below Linux's ephemeral range (32768-60999 by default):
 * a server of the parent's own that binds port 0 is given an ephemeral port, so it can never take
 * a port picked here in the moment between the check and the child's bind. Two pickers here could
 * still pick the same port (1 in 12,768); startVerifyd tries another when its child loses.
 */
const LOW = 20_000;
const HIGH = 32_767;

/** A TCP port on 127.0.0.1 that was free a moment ago (for child processes that need a fixed PORT). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await bindable(port)) return port;
  }
  // Every pick was taken (a crowded machine): an ephemeral port, as before.
  return bindable(0);
}

/** The port once bound and released, 0 when it was taken. */
function bindable(port: number): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(0));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(bound));
    });
  });
}
