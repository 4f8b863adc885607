import { normalizeTarget } from './address.js';
import type { InboxFilter, InboxStore } from './ports.js';
import type { InboxMessage } from './types.js';

/** What reading the development inbox needs. */
export interface InboxDeps {
  store: InboxStore;
}

/** What the inbox provider "delivered" to an account, newest first; `To` in any form start accepts. */
export function listInboxMessages(deps: InboxDeps, accountSid: string, filter: InboxFilter, limit: number): Promise<InboxMessage[]> {
  const to = filter.to === undefined ? undefined : normalizeTarget(filter.to);
  return deps.store.listInboxMessages(accountSid, { ...filter, to }, limit);
}
