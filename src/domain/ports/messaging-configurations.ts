import type { PageQuery } from './paging.js';

/** A service's choice of sender profile for one destination country, or for `all` of them. */
export interface MessagingConfiguration {
  /** Internal: the keyset for paging (a configuration has no sid on the wire). */
  sid: string;
  accountSid: string;
  serviceSid: string;
  /** ISO 3166 alpha-2, upper case, or `all`. */
  country: string;
  messagingServiceSid: string;
  dateCreated: number;
  dateUpdated: number;
}

export interface MessagingConfigurationStore {
  /** False when the service already has one for that country (nothing written). */
  insertMessagingConfiguration(c: MessagingConfiguration): Promise<boolean>;
  getMessagingConfiguration(serviceSid: string, country: string): Promise<MessagingConfiguration | undefined>;
  /** One page of the service's configurations in (dateCreated, sid) order (see PageQuery). */
  listMessagingConfigurations(serviceSid: string, page: PageQuery): Promise<MessagingConfiguration[]>;
  /** The configuration after the change; undefined when there is none for that country. */
  updateMessagingConfiguration(serviceSid: string, country: string, messagingServiceSid: string, at: number): Promise<MessagingConfiguration | undefined>;
  deleteMessagingConfiguration(serviceSid: string, country: string): Promise<boolean>;
  /** The sender profile for a send: the configuration for `country`, else the one for `all`; null when neither exists. */
  profileFor(serviceSid: string, country: string | null): Promise<string | null>;
}
