/**
 * The voice a call reads its message in, per verifyd locale: Amazon Polly voices where Twilio has
 * one for the language, Google's standard voices for the others, and the language alone (Twilio's
 * default voice for it) where neither is known to exist. A service's `tts_name` replaces the voice.
 */
export interface CallVoice {
  voice: string | null;
  language: string;
}

const polly = (name: string, language: string): CallVoice => ({ voice: `Polly.${name}`, language });
const google = (language: string): CallVoice => ({ voice: `Google.${language}-Standard-A`, language });

const VOICES: Readonly<Record<string, CallVoice>> = {
  en: polly('Joanna', 'en-US'),
  'en-GB': polly('Amy', 'en-GB'),
  es: polly('Lucia', 'es-ES'),
  'es-419': polly('Mia', 'es-MX'),
  fr: polly('Lea', 'fr-FR'),
  de: polly('Vicki', 'de-DE'),
  it: polly('Bianca', 'it-IT'),
  pt: polly('Ines', 'pt-PT'),
  'pt-BR': polly('Camila', 'pt-BR'),
  nl: polly('Lotte', 'nl-NL'),
  da: polly('Naja', 'da-DK'),
  nb: polly('Liv', 'nb-NO'),
  sv: polly('Astrid', 'sv-SE'),
  pl: polly('Ewa', 'pl-PL'),
  ro: polly('Carmen', 'ro-RO'),
  ru: polly('Tatyana', 'ru-RU'),
  tr: polly('Filiz', 'tr-TR'),
  ja: polly('Mizuki', 'ja-JP'),
  ko: polly('Seoyeon', 'ko-KR'),
  'zh-CN': polly('Zhiyu', 'cmn-CN'),
  ar: polly('Zeina', 'arb'),
  hi: polly('Aditi', 'hi-IN'),
  af: google('af-ZA'),
  ca: google('ca-ES'),
  zh: google('cmn-TW'),
  'zh-HK': google('yue-HK'),
  cs: google('cs-CZ'),
  fi: google('fi-FI'),
  el: google('el-GR'),
  he: google('he-IL'),
  hu: google('hu-HU'),
  id: google('id-ID'),
  kn: google('kn-IN'),
  lt: google('lt-LT'),
  ms: google('ms-MY'),
  mr: google('mr-IN'),
  sk: google('sk-SK'),
  tl: google('fil-PH'),
  te: google('te-IN'),
  th: google('th-TH'),
  vi: google('vi-VN'),
  uk: google('uk-UA'),
  bg: google('bg-BG'),
  hr: { voice: null, language: 'hr-HR' },
  et: { voice: null, language: 'et-EE' },
};

/** The locale's voice (its base language's, else English), with the service's `tts_name` in its place when set. */
export function callVoice(locale: string, ttsName: string | null): CallVoice {
  const v = VOICES[locale] ?? VOICES[locale.split('-')[0] ?? ''] ?? (VOICES.en as CallVoice);
  return ttsName ? { voice: ttsName, language: v.language } : v;
}
