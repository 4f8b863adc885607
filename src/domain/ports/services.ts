import type { Service } from '../types.js';
import type { PageQuery } from './paging.js';

export interface ServiceStore {
  /** QuotaReached when the account already has `maxPerAccount` services (counted in the insert's transaction). */
  insertService(s: Service, maxPerAccount?: number): Promise<void>;
  getService(accountSid: string, sid: string): Promise<Service | undefined>;
  /** One page of services in (dateCreated, sid) order (see PageQuery). */
  listServices(accountSid: string, page: PageQuery): Promise<Service[]>;
  /**
   * Applies `change` to the current service under a row lock and stores the result, so concurrent
   * updates of different fields all land. Undefined when the service does not exist (for this account).
   */
  updateService(accountSid: string, sid: string, change: (current: Service) => Service): Promise<Service | undefined>;
  /** Deletes the service and everything under it. Returns false when it did not exist. */
  deleteService(accountSid: string, sid: string): Promise<boolean>;
}
