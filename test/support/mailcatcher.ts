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
