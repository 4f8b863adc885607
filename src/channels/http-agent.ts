import { Agent, buildConnector } from 'undici';

/**
 * An undici Agent whose connection attempts (TCP and TLS) end at `connectTimeoutMs` to the
 * millisecond. undici's own connect timeout runs on its coarse timers (a 300 ms setting fired after
 * about 1.1 s here), and failover waits exactly that long before the next provider, so it is kept
 * with a plain timer. The error says UND_ERR_CONNECT_TIMEOUT, as undici's.
 *
 * Every error of this phase (refused, DNS, the timeout, a TLS handshake that fails however it
 * fails) comes before a request was written, so it is marked `notReached` (src/channels/provider.ts):
 * the send moves on to the next provider of its route at once.
 */
export function agentWithConnectTimeout(connectTimeoutMs: number): Agent {
  // undici's own stays as a backstop, well after ours.
  const connector = buildConnector({ timeout: connectTimeoutMs * 10 });
  return new Agent({
    connect: (options, callback) => {
      let settled = false;
      // undici's connector returns the socket it opens, though its type says nothing.
      const socket = connector(options, (err, sock) => {
        if (settled) return void sock?.destroy();
        settled = true;
        clearTimeout(timer);
        if (err) callback(notReached(err), null);
        else callback(null, sock!);
      });
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        (socket as unknown as { destroy?: () => void } | undefined)?.destroy?.();
        callback(notReached(Object.assign(new Error(`connecting took longer than ${connectTimeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' })), null);
      }, connectTimeoutMs);
      return socket as never;
    },
  });
}

/** The same error, marked: undici hands it on to the request as it is (its code still decides how undici treats it). */
const notReached = (err: Error): Error => Object.assign(err, { notReached: true });
