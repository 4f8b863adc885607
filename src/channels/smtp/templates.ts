import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

/**
 * E-mail templates: Handlebars, as SendGrid dynamic templates are, keyed by ids of SendGrid's form
 * (`d-` and 32 hex digits) so that a start's `template_id` means the same template here and on a
 * SendGrid provider. A template is `<id>.html`, with an optional `<id>.txt` (the text part) and an
 * optional `<id>.json` holding `{"subject": "..."}`; what is left out is verifyd's localized default.
 */

/** Its own environment: nothing registered on the global Handlebars leaks in, and only the built-in helpers exist. */
const hbs = Handlebars.create();

export type Fill = (vars: Record<string, unknown>) => string;

export interface EmailTemplate {
  html: Fill;
  /** null: the default text part. */
  text: Fill | null;
  /** null: the default subject. */
  subject: Fill | null;
}

export type EmailTemplates = ReadonlyMap<string, EmailTemplate>;

export const TEMPLATE_ID = /^d-[0-9a-f]{32}$/;

/**
 * HTML escapes every value (a substitution is the API caller's text); the subject and the text part
 * are not HTML, so they take values as they are. `knownHelpersOnly` makes an unknown helper a
 * problem at start rather than a failed send.
 */
function compile(source: string, html: boolean): Fill {
  const options = { knownHelpersOnly: true, noEscape: !html, strict: false };
  hbs.precompile(source, options);
  const template = hbs.compile(source, options);
  return (vars) => template(vars);
}

/** Every template of `dir`; `problems` names each file that is not one, or does not compile. */
export function readTemplates(dir: string): { templates: Map<string, EmailTemplate>; problems: string[] } {
  const templates = new Map<string, EmailTemplate>();
  const problems: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('d-'));
  } catch (err) {
    return { templates, problems: [`cannot read the directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  const files = new Map<string, Map<string, string>>();
  for (const name of names) {
    const m = /^(d-[^.]*)\.(html|txt|json)$/.exec(name);
    if (!m || !TEMPLATE_ID.test(m[1]!)) {
      problems.push(`${name} is not named d-<32 lower-case hex digits>.html, .txt or .json`);
      continue;
    }
    const parts = files.get(m[1]!) ?? new Map<string, string>();
    parts.set(m[2]!, name);
    files.set(m[1]!, parts);
  }
  for (const [id, parts] of files) {
    const part = (ext: string, html: boolean): Fill | null => {
      const name = parts.get(ext);
      if (name === undefined) return null;
      try {
        return compile(readFileSync(join(dir, name), 'utf8'), html);
      } catch (err) {
        problems.push(`${name}: ${firstLine(err)}`);
        return null;
      }
    };
    if (!parts.has('html')) {
      problems.push(`${id} has no ${id}.html`);
      continue;
    }
    const html = part('html', true);
    const text = part('txt', false);
    const subject = readSubject(dir, parts.get('json'), problems);
    if (html) templates.set(id, { html, text, subject });
  }
  return { templates, problems };
}

function readSubject(dir: string, name: string | undefined, problems: string[]): Fill | null {
  if (name === undefined) return null;
  try {
    const meta = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
    const keys = meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? Object.keys(meta) : null;
    const subject = (meta as { subject?: unknown } | null)?.subject;
    if (keys === null || keys.some((k) => k !== 'subject') || typeof subject !== 'string') {
      problems.push(`${name} must be a JSON object with one key, subject (a string)`);
      return null;
    }
    return compile(subject, false);
  } catch (err) {
    problems.push(`${name}: ${err instanceof SyntaxError ? 'is not valid JSON' : firstLine(err)}`);
    return null;
  }
}

// Handlebars' parse errors span several lines (the source line and a caret under it).
const firstLine = (err: unknown) => String((err as Error).message ?? err).split('\n')[0];

// Written right to left.
const RTL = new Set(['ar', 'he']);

/**
 * verifyd's own e-mail, for every supported locale: the localized sentence, the code set apart,
 * then the body's other paragraphs (how long the code is valid, what to do if it was not asked for).
 * Every value is escaped.
 */
const DEFAULT_HTML = compile(
  `<!DOCTYPE html>
<html lang="{{lang}}" dir="{{dir}}">
<head><meta charset="utf-8"><title>{{subject}}</title></head>
<body style="font-family: Helvetica, Arial, sans-serif; font-size: 14px;">
<p>{{twilio_message_without_code}}</p>
<p style="font-size: 24px; font-weight: bold; letter-spacing: 4px;">{{twilio_code}}</p>
{{#each notes}}<p>{{this}}</p>
{{/each}}</body>
</html>
`,
  true,
);

export function defaultHtml(vars: { locale: string; subject: string; body: string; twilio_code: string; twilio_message_without_code: string }): string {
  return DEFAULT_HTML({
    ...vars,
    lang: vars.locale,
    dir: RTL.has(vars.locale.split('-')[0] ?? '') ? 'rtl' : 'ltr',
    notes: vars.body.split('\n\n').slice(1),
  });
}
