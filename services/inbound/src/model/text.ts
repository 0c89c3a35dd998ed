import { REPLY_ABOVE_LINE } from '@woop/contracts';
import { convert } from 'html-to-text';

/**
 * An HTML body as plain text: tags dropped, images skipped (never fetched: nothing is), links kept
 * as their text and address. The result is text, to be escaped wherever it is shown.
 */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    limits: { maxInputLength: 5_000_000, maxDepth: 100 },
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

type Language = 'fr' | 'en';

/** A line that opens the quoted history, and the language it is written in. */
interface QuoteHeader {
  test(lines: readonly string[], i: number): boolean;
  language: Language;
}

const unquoted = (line: string | undefined) => (line ?? '').replace(/^(\s*>)+\s?/, '').trim();

/** "On Mon, 7 Dec 2026 at 10:00, Support <…> wrote:" / "Le lun. 7 déc. 2026 à 10:00, Support <…> a écrit :", maybe over two lines. */
const wroteHeader = (opening: RegExp, closing: RegExp, language: Language): QuoteHeader => ({
  language,
  test(lines, i) {
    const line = unquoted(lines[i]);
    if (!opening.test(line)) return false;
    if (closing.test(line)) return true;
    // A client wrapped the header: its end is on the next line or the one after, with no blank
    // line between (a sentence starting with "Le"/"On" above a header is not part of it).
    let joined = line;
    for (let j = i + 1; j <= i + 2 && j < lines.length; j++) {
      const next = unquoted(lines[j]);
      if (next === '' || opening.test(next)) return false;
      joined = `${joined} ${next}`;
      if (closing.test(joined)) return true;
    }
    return false;
  },
});

/** Outlook's block: "From: …" / "De : …" followed within a few lines by "Sent:" / "Envoyé :" (or Date). */
const outlookBlock = (from: RegExp, sent: RegExp, language: Language): QuoteHeader => ({
  language,
  test(lines, i) {
    if (!from.test(unquoted(lines[i]))) return false;
    for (let j = i + 1; j <= i + 4 && j < lines.length; j++) if (sent.test(unquoted(lines[j]))) return true;
    return false;
  },
});

const separator = (re: RegExp, language: Language): QuoteHeader => ({
  language,
  test: (lines, i) => re.test(unquoted(lines[i])),
});

const QUOTE_HEADERS: readonly QuoteHeader[] = [
  wroteHeader(/^On\s/i, /^On\s.+\swrote\s*:?\s*$/i, 'en'),
  wroteHeader(/^Le\s/i, /^Le\s.+\s(a\s+)?écrit\s*:?\s*$/i, 'fr'),
  outlookBlock(/^From\s*:\s*\S/i, /^(Sent|Date)\s*:\s*\S/i, 'en'),
  outlookBlock(/^De\s*:\s*\S/i, /^(Envoyé|Date)\s*:\s*\S/i, 'fr'),
  separator(/^-{2,}\s*Original Message\s*-{2,}$/i, 'en'),
  separator(/^-{2,}\s*(Message d'origine|Mail original|Message original)\s*-{2,}$/i, 'fr'),
];

/** Where a signature starts: "-- " (RFC 3676), or a mobile client's line. */
const SIGNATURE = [
  /^--\s?$/,
  /^(Sent from|Sent with|Get Outlook for)\s.+$/i,
  /^(Envoyé de mon|Envoyé depuis|Envoyé à partir de|Télécharger Outlook pour)\s.+$/i,
];

/** Outlook's rule above its block, and empty lines, left at the end once the history is cut. */
const TRAILING_NOISE = /^(\s*|_{10,}|-{10,})$/;

export interface Reply {
  /** What the sender wrote above the quoted history and the signature. */
  visibleText: string;
  /** The language of the quote header found, if any. */
  headerLanguage?: Language;
}

/**
 * What the sender wrote: the text cut at the first "reply above this line" marker (either
 * language: a customer may answer an English email in French), then at the first quote header
 * (FR and EN "… wrote:", Outlook's From/Sent block, "Original Message" rules), then at a
 * signature; quoted lines and rules left at the end go too.
 */
export function stripReply(text: string): Reply {
  let body = text.replace(/\r\n?/g, '\n');
  for (const marker of Object.values(REPLY_ABOVE_LINE)) {
    const at = body.indexOf(marker);
    if (at >= 0) body = body.slice(0, body.lastIndexOf('\n', at) + 1);
  }
  let lines = body.split('\n');
  let headerLanguage: Language | undefined;
  cut: for (let i = 0; i < lines.length; i++) {
    for (const header of QUOTE_HEADERS) {
      if (header.test(lines, i)) {
        headerLanguage = header.language;
        lines = lines.slice(0, i);
        break cut;
      }
    }
  }
  const signature = lines.findIndex((line) => SIGNATURE.some((re) => re.test(line.trimEnd())));
  if (signature >= 0) lines = lines.slice(0, signature);
  // The history's quoted lines after the last words (a client that quotes with no header).
  while (
    lines.length > 0 &&
    (TRAILING_NOISE.test(lines[lines.length - 1]!) || /^\s*>/.test(lines[lines.length - 1]!))
  ) {
    lines.pop();
  }
  return { visibleText: lines.join('\n').trim(), ...(headerLanguage ? { headerLanguage } : {}) };
}

const FR_WORDS = new Set(
  'le la les des une est pas je vous nous merci bonjour pour avec que qui dans sur mais ce cette mon ma mes votre vos être avoir bien cordialement demande facture numéro pouvez oui non aussi été très'.split(
    ' ',
  ),
);
const EN_WORDS = new Set(
  'the is are and you we thanks thank hello hi for with that this not but my your our have has be please regards request invoice number can could yes no also been very'.split(
    ' ',
  ),
);

/**
 * The language a message is written in, when it can be told: the common words of what the sender
 * wrote, else the language of the quote header their client wrote (its interface's), else the
 * Content-Language header.
 */
export function languageOf(
  visibleText: string,
  headerLanguage?: Language,
  contentLanguage?: string,
): Language | undefined {
  let fr = 0;
  let en = 0;
  for (const word of visibleText.toLowerCase().split(/[^a-zà-ÿœæ']+/)) {
    if (FR_WORDS.has(word)) fr++;
    if (EN_WORDS.has(word)) en++;
  }
  if (fr + en >= 2 && fr !== en) {
    if (fr >= 2 * en) return 'fr';
    if (en >= 2 * fr) return 'en';
  }
  if (headerLanguage) return headerLanguage;
  const declared = contentLanguage?.trim().toLowerCase().slice(0, 2);
  return declared === 'fr' || declared === 'en' ? declared : undefined;
}
