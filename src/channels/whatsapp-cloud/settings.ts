import { z } from 'zod';
import { canonicalLocale } from '../../domain/locale.js';
import { connectTimeoutSetting, timeoutSetting } from '../http-json.js';

/** Meta's Graph API host; a stand-in (or a proxy) is named by `api_base_url`. */
export const GRAPH_API_BASE_URL = 'https://graph.facebook.com';

/**
 * A `whatsapp_cloud` provider's keys beside `name` and `type`: one business phone number of the
 * WhatsApp Cloud API, the app it belongs to (its secret signs the webhooks), and the approved
 * AUTHENTICATION template the code is sent in.
 */
export const whatsappCloudSettings = z
  .strictObject({
    /** The business phone number's id (not the number itself): the path of the Messages endpoint. */
    phone_number_id: z.string().regex(/^\d{1,32}$/, 'the numeric id Meta shows for the phone number'),
    /** A system user's access token with whatsapp_business_messaging. */
    access_token: z.string().min(1),
    /** The Meta app's secret: webhooks are accepted only with its X-Hub-Signature-256. */
    app_secret: z.string().min(1),
    /** What the webhook subscription handshake (GET hub.verify_token) must present. */
    verify_token: z.string().min(1),
    /** An approved template of category AUTHENTICATION (copy-code or one-tap button). */
    template_name: z.string().regex(/^[a-z0-9_]{1,512}$/, "a template name: lower-case letters, digits and _"),
    /** One language for every send; by default each verification's locale picks it (metaLanguage). */
    template_language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "one of Meta's template language codes, e.g. en_US").optional(),
    api_base_url: z
      .url({ protocol: /^https?$/ })
      .default(GRAPH_API_BASE_URL)
      .transform((u) => u.replace(/\/+$/, '')),
    api_version: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0').default('v21.0'),
    timeout_ms: timeoutSetting,
    /** Connecting (TCP and TLS) past this counts as "not reached": failover moves on (docs/delivery.md, "Failover"). */
    connect_timeout_ms: connectTimeoutSetting,
  });

export type WhatsappCloudSettings = z.output<typeof whatsappCloudSettings>;

/**
 * verifyd's locales in Meta's template language codes where they differ (the rest are the same
 * two letters). English is en_US, the language Meta's own examples and most accounts' templates
 * use; Latin American Spanish is es_MX, the closest regional code Meta has.
 */
const META_LANGUAGES: Readonly<Record<string, string>> = {
  en: 'en_US',
  'en-GB': 'en_GB',
  zh: 'zh_TW',
  'zh-CN': 'zh_CN',
  'zh-HK': 'zh_HK',
  pt: 'pt_PT',
  'pt-BR': 'pt_BR',
  'es-419': 'es_MX',
  tl: 'fil',
};

/** The template language for a verification's locale (an unknown one: en_US). */
export function metaLanguage(locale: string): string {
  const known = canonicalLocale(locale);
  if (!known) return 'en_US';
  return META_LANGUAGES[known] ?? known;
}
