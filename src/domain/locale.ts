// Languages accepted in the `Locale` parameter, spelled as Twilio Verify spells them.
export const SUPPORTED_LOCALES: readonly string[] = [
  'af', 'ar', 'ca', 'zh', 'zh-CN', 'zh-HK', 'hr', 'cs', 'da', 'nl', 'en', 'en-GB',
  'et', 'fi', 'fr', 'de', 'el', 'he', 'hi', 'hu', 'id', 'it', 'ja', 'kn', 'ko',
  'lt', 'ms', 'mr', 'nb', 'pl', 'pt-BR', 'pt', 'ro', 'ru', 'sk', 'es', 'es-419',
  'sv', 'tl', 'te', 'th', 'tr', 'vi', 'uk', 'bg',
];

const CANONICAL = new Map(SUPPORTED_LOCALES.map((l) => [l.toLowerCase(), l]));

export function canonicalLocale(tag: string): string | undefined {
  return CANONICAL.get(tag.trim().toLowerCase());
}

export function isSupportedLocale(tag: string): boolean {
  return canonicalLocale(tag) !== undefined;
}

// Countries whose people most likely read each locale. Some locales have no
// entry on purpose: af, kn, mr and te are spoken mainly in multilingual
// countries (ZA, IN) whose common written language is English or Hindi, so a
// country alone is not enough to pick them; es-419 is only chosen on request
// because plain `es` already reads naturally across Latin America.
const COUNTRIES_BY_LOCALE: Readonly<Record<string, string>> = {
  ar: 'SA AE EG QA KW BH OM JO LB IQ SY YE LY SD DZ MA TN PS MR',
  ca: 'AD',
  zh: 'TW',
  'zh-CN': 'CN',
  'zh-HK': 'HK MO',
  hr: 'HR',
  cs: 'CZ',
  da: 'DK GL FO',
  // Belgium is split, but Dutch speakers are the majority.
  nl: 'NL BE SR AW CW SX BQ',
  en: 'US CA AU NZ ZA NG KE GH SG JM TT BS BB UG TZ ZM ZW BW NA MT',
  'en-GB': 'GB IE IM JE GG GI',
  et: 'EE',
  fi: 'FI',
  fr: 'FR MC LU SN CI ML BF NE TG BJ GN CM CD CG GA MG HT RE GP MQ GF YT PF NC PM BL MF WF CF TD DJ KM',
  de: 'DE AT CH LI',
  el: 'GR CY',
  he: 'IL',
  hi: 'IN',
  hu: 'HU',
  id: 'ID',
  it: 'IT SM VA',
  ja: 'JP',
  ko: 'KR KP',
  lt: 'LT',
  ms: 'MY BN',
  nb: 'NO SJ',
  pl: 'PL',
  'pt-BR': 'BR',
  pt: 'PT AO MZ CV GW ST TL',
  ro: 'RO MD',
  ru: 'RU BY KZ KG',
  sk: 'SK',
  es: 'ES MX AR CO PE VE CL EC GT CU BO DO HN PY SV NI CR PA UY PR GQ',
  sv: 'SE AX',
  tl: 'PH',
  th: 'TH',
  tr: 'TR',
  vi: 'VN',
  uk: 'UA',
  bg: 'BG',
};

const LOCALE_BY_COUNTRY = new Map<string, string>();
for (const [locale, countries] of Object.entries(COUNTRIES_BY_LOCALE)) {
  for (const country of countries.split(' ')) LOCALE_BY_COUNTRY.set(country, locale);
}

export function localeForCountry(country: string | undefined): string {
  if (!country) return 'en';
  return LOCALE_BY_COUNTRY.get(country.trim().toUpperCase()) ?? 'en';
}

export function resolveLocale(requested: string | undefined, country: string | undefined): string {
  const canonical = requested ? canonicalLocale(requested) : undefined;
  return canonical ?? localeForCountry(country);
}
