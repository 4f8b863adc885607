import type { InboxMessage } from '../types.js';

export interface InboxFilter {
  to?: string;
  channel?: string;
  serviceSid?: string;
}

/** The development inbox: what the inbox provider wrote, newest first. */
export interface InboxStore {
  insertInboxMessage(m: InboxMessage): Promise<void>;
  listInboxMessages(accountSid: string, filter: InboxFilter, limit: number): Promise<InboxMessage[]>;
}
