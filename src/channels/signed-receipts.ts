import type { CheckedReceipt, SignedReceipts } from '../api/own/receipt-callbacks.js';
import { precedingStatuses } from '../domain/attempts/receipts.js';
import { parseJsonObject } from './json-object.js';
import { HttpGatewayProvider } from './http-gateway/provider.js';
import type { Provider } from './provider.js';
import { vonageReceiptError, vonageReceiptStatus } from './vonage/codes.js';
import { VonageProvider } from './vonage/provider.js';

/** The providers of one class among `providers`, by name. */
function byName<P extends Provider>(providers: readonly Provider[], type: abstract new (...args: never[]) => P): (name: string) => P | undefined {
  const found = new Map<string, P>();
  for (const p of providers) if (p instanceof type) found.set(p.name, p);
  return (name) => found.get(name);
}

/** What api/own/receipt-callbacks.ts needs of the Vonage providers and HTTP gateways among `providers`, by name. */
export function signedReceipts(providers: readonly Provider[]): SignedReceipts {
  const vonage = byName(providers, VonageProvider);
  const http = byName(providers, HttpGatewayProvider);
  return {
    vonage(name) {
      const p = vonage(name);
      return p && ((params, now) => (p.signedReceipt(params, now) ? { receipt: vonageReceipt(params) } : 'forged'));
    },
    http(name) {
      const p = http(name);
      return p && ((headers, body, now) => (p.signedReceipt(headers.timestamp, headers.signature, body, now) ? gatewayReceipt(body) : 'forged'));
    },
  };
}

/** A Vonage DLR: `messageId`, `status` and `err-code` (one DLR per part of a long text; the attempt follows the first part's). */
function vonageReceipt(params: Record<string, string>): { messageId: string; status: string; errorCode: number | null } | null {
  const messageId = params.messageId;
  const status = vonageReceiptStatus(params.status ?? '');
  if (!messageId || status === null) return null;
  return { messageId, status, errorCode: vonageReceiptError(status, params['err-code']) };
}

/** A gateway receipt: JSON `{ message_id, status, error_code? }`, status one of the Attempts API's a receipt may set. */
function gatewayReceipt(body: string): CheckedReceipt {
  const v = parseJsonObject(body);
  if (!v) return { malformed: 'the body is not a JSON object' };
  const { message_id: messageId, status, error_code: errorCode } = v;
  if (typeof messageId !== 'string' || messageId === '' || messageId.length > 256) return { malformed: 'message_id must be a non-empty string' };
  if (typeof status !== 'string' || precedingStatuses(status).length === 0) return { malformed: 'status is not one a receipt may set' };
  if (errorCode !== undefined && errorCode !== null && !(typeof errorCode === 'number' && Number.isInteger(errorCode) && errorCode > 0 && errorCode < 1e9)) {
    return { malformed: 'error_code must be a positive integer' };
  }
  return { receipt: { messageId, status, errorCode: typeof errorCode === 'number' ? errorCode : null } };
}
