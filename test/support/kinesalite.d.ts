/** kinesalite ships no types; this is the part the tests use (an in-process Kinesis-compatible server). */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** How long a new stream stays CREATING (default 500 ms). */
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    /** A LevelDB directory; in memory when absent. */
    path?: string;
  }

  /** A plain node:http server; listen() on it to serve the Kinesis API. */
  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}
