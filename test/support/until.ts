/**
 * Polls `read` until `done` holds for what it returns, for tests whose subject runs on real timers
 * (a dispatcher polling its store); the limit only turns a hang into a failure naming `what`.
 */
export async function until<T>(read: () => Promise<T> | T, done: (v: T) => boolean, what: string, limitMs = 15_000): Promise<T> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
