/** Reads what the SMTP catcher received, through its HTTP API (MailDev). */
export interface CaughtEmail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  messageId?: string;
  to: Array<{ address: string; name?: string }>;
  from: Array<{ address: string; name?: string }>;
  headers: Record<string, string | string[]>;
}

export const MAILCATCHER_API_URL = process.env.MAILCATCHER_API_URL ?? 'http://127.0.0.1:1080/api';

export async function listEmails(): Promise<CaughtEmail[]> {
  const res = await fetch(`${MAILCATCHER_API_URL}/email`);
  if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
  return (await res.json()) as CaughtEmail[];
}

/** Polls until an email matching `predicate` arrives, or fails after `timeoutMs`. */
export async function waitForEmail(predicate: (e: CaughtEmail) => boolean, timeoutMs = 15_000): Promise<CaughtEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await listEmails()).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching email within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Emails sent to `address`: MailDev keeps everyone's, so tests look only at addresses they made. */
export async function emailsTo(address: string): Promise<CaughtEmail[]> {
  const wanted = address.toLowerCase();
  return (await listEmails()).filter((e) => e.to.some((t) => t.address.toLowerCase() === wanted));
}

export const headerOf = (email: CaughtEmail, name: string): string | undefined => {
  const value = email.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const ENTITIES: Record<string, string> = { '&amp;': '&', '&#x3D;': '=', '&#61;': '=', '&quot;': '"', '&#x27;': "'" };

/** Every link of an email, once each: the HTML part's `href`s and the URLs written in the text part. */
export function linksIn(email: CaughtEmail): string[] {
  const links = new Set<string>();
  for (const m of (email.html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi)) {
    links.add(m[1]!.replace(/&(amp|quot|#x3D|#61|#x27);/g, (e) => ENTITIES[e] ?? e));
  }
  for (const m of (email.text ?? '').matchAll(/https?:\/\/[^\s<>"')\]]+/g)) links.add(m[0].replace(/[.,;:!?]+$/, ''));
  return [...links].filter((l) => /^https?:/.test(l));
}

/**
 * A header as sent, from the message's source (MailDev's parsed `headers` leave some out, such as
 * Reply-To); folded lines unfolded.
 */
export async function sentHeader(email: CaughtEmail, name: string): Promise<string | undefined> {
  const res = await fetch(`${MAILCATCHER_API_URL}/email/${email.id}/source`);
  if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
  const head = (await res.text()).split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
}
