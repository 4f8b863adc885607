import { isIP } from 'node:net';
import { isDisplayName, isEmail } from '../../domain/address.js';
import { verifyInvalidParam } from '../../domain/errors.js';
import { REQUEST_CHANNELS, type StartOptions } from '../../domain/types.js';
import type { StartInput } from '../../domain/verification/start.js';
import type { Params } from '../params.js';

function tags(p: Params): Record<string, string> | null {
  const obj = p.jsonObject('Tags');
  if (!obj) return null;
  const entries = Object.entries(obj);
  const ok = entries.length <= 10 && entries.every(([k, v]) => typeof v === 'string' && k.length <= 128 && v.length <= 128);
  if (!ok) throw verifyInvalidParam('Tags');
  return obj as Record<string, string>;
}

function rateLimits(p: Params): Record<string, string> | null {
  const obj = p.jsonObject('RateLimits');
  if (!obj) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw verifyInvalidParam('RateLimits');
    out[k] = String(v);
  }
  return out;
}

function channelConfiguration(p: Params): Record<string, unknown> | null {
  const obj = p.jsonObject('ChannelConfiguration');
  if (!obj) return null;
  if (obj.from !== undefined && (typeof obj.from !== 'string' || !isEmail(obj.from))) throw verifyInvalidParam('ChannelConfiguration');
  if (obj.from_name !== undefined && (typeof obj.from_name !== 'string' || !isDisplayName(obj.from_name))) throw verifyInvalidParam('ChannelConfiguration');
  if (obj.template_id !== undefined && typeof obj.template_id !== 'string') throw verifyInvalidParam('ChannelConfiguration');
  // verifyd's own key: the WhatsApp Content template (HX...) a Twilio provider sends the code with.
  if (obj.content_sid !== undefined && (typeof obj.content_sid !== 'string' || !/^HX[0-9a-fA-F]{32}$/.test(obj.content_sid))) {
    throw verifyInvalidParam('ChannelConfiguration');
  }
  const subs = obj.substitutions;
  if (subs !== undefined && (subs === null || typeof subs !== 'object' || Array.isArray(subs))) throw verifyInvalidParam('ChannelConfiguration');
  return obj;
}

function limited(p: Params, name: string, max: number, pattern?: RegExp): string | null {
  const v = p.str(name);
  if (v === undefined) return null;
  if (v.length === 0 || v.length > max || (pattern && !pattern.test(v))) throw verifyInvalidParam(name);
  return v;
}

/** Every CreateVerificationRequest parameter, validated for shape; business rules live in the domain. */
export function readStartInput(p: Params): StartInput {
  const to = p.required('To');
  const channel = p.str('Channel');
  if (channel === undefined || !(REQUEST_CHANNELS as readonly string[]).includes(channel)) throw verifyInvalidParam('Channel');
  const deviceIp = p.str('DeviceIp');
  if (deviceIp !== undefined && isIP(deviceIp) === 0) throw verifyInvalidParam('DeviceIp');
  const options: StartOptions = {
    customFriendlyName: limited(p, 'CustomFriendlyName', 30),
    customMessage: limited(p, 'CustomMessage', 160),
    sendDigits: limited(p, 'SendDigits', 32, /^[0-9wW#*]+$/),
    locale: limited(p, 'Locale', 16),
    rateLimits: rateLimits(p),
    channelConfiguration: channelConfiguration(p),
    appHash: limited(p, 'AppHash', 32, /^[A-Za-z0-9+/=]+$/),
    templateSid: p.sid('TemplateSid', 'HJ') ?? null,
    templateCustomSubstitutions: p.jsonObject('TemplateCustomSubstitutions') ?? null,
    deviceIp: deviceIp ?? null,
    enableSnaClientToken: p.bool('EnableSnaClientToken') ?? false,
    riskCheck: p.oneOf('RiskCheck', ['enable', 'disable'] as const) ?? null,
    tags: tags(p),
  };
  return {
    to,
    channel: channel as StartInput['channel'],
    customCode: limited(p, 'CustomCode', 64),
    amount: limited(p, 'Amount', 64),
    payee: limited(p, 'Payee', 128),
    options,
  };
}
