import type { DeliveryOutcome, OutboxEvent, Sink, SinkConfigs, SinkType } from '../../domain/events/types.js';

/** A sink of one type, with that type's configuration. */
export type SinkOf<T extends SinkType> = Omit<Sink, 'sinkType' | 'config'> & { sinkType: T; config: SinkConfigs[T] };

/** How events leave verifyd for sinks of one type. */
export interface SinkSender<T extends SinkType> {
  /** Events one request (or call) carries at most for this sink; the dispatcher splits its claims into such requests. */
  requestSize(sink: SinkOf<T>): number;
  /**
   * Sends the events in one request and reports one outcome per event, in order. The request must
   * be over within `timeoutMs`: the dispatcher's lease on the events ends soon after.
   */
  send(sink: SinkOf<T>, events: OutboxEvent[], timeoutMs: number): Promise<DeliveryOutcome[]>;
}

/**
 * One sender per sink type, registered under that type. A sink type added to SinkConfigs does not
 * compile until its sender is registered here.
 */
export type SinkSenders = { [T in SinkType]: SinkSender<T> };
