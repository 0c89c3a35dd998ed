import { randomBytes } from 'node:crypto';
import { MAIL_MESSAGE_MAX_BYTES } from '@woop/contracts';
import { messageIdWithToken, replyAddress, replyToken, replyUserTag, sealingKey } from '@woop/service-kit';
import { messageKeyOf, readMessage, type Read } from './message';

const key = sealingKey(randomBytes(32));
const previous = sealingKey(randomBytes(32));
const SUPPORT = 'support@woop.example';
const opts = { supportAddress: SUPPORT, keys: [key, previous], now: new Date('2026-12-07T10:00:00Z') };

/** A message as a mail client sends it: headers, a blank line, the body (CRLF). */
function raw(headers: Record<string, string>, body = 'Bonjour,\r\nMerci pour votre aide.\r\n'): Buffer {
  const all = {
    From: 'Claire Martin <claire@enseigne.example>',
    To: SUPPORT,
    Subject: 'Question',
    Date: 'Mon, 07 Dec 2026 10:00:00 +0100',
    'Message-ID': `<${randomBytes(8).toString('hex')}@mail.enseigne.example>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': '8bit',
    ...headers,
  };
  const head = Object.entries(all)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');
}

const refusedFor = async (message: Buffer) => {
  const read = await readMessage(message, opts);
  return read.kind === 'refused' ? read.reason : 'accepted';
};

const mailOf = (read: Read) => {
  if (read.kind !== 'mail') throw new Error(`refused: ${read.reason}`);
  return read.mail;
};

describe('readMessage: what a real mailbox receives, refused cleanly', () => {
  it.each([
    ['Auto-Submitted: auto-replied (out of office)', { 'Auto-Submitted': 'auto-replied' }, 'auto-reply'],
    ['Auto-Submitted: auto-generated', { 'Auto-Submitted': 'auto-generated; type=ooo' }, 'auto-reply'],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }, 'auto-reply'],
    ['X-Autorespond', { 'X-Autorespond': 'Absent jusqu’au 12' }, 'auto-reply'],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }, 'auto-reply'],
    ['Precedence: bulk', { Precedence: 'bulk' }, 'bulk'],
    ['Precedence: junk', { Precedence: 'junk' }, 'bulk'],
    ['Precedence: list', { Precedence: 'List' }, 'bulk'],
    ['From MAILER-DAEMON', { From: 'Mail Delivery System <MAILER-DAEMON@mx.enseigne.example>' }, 'bounce'],
    ['From postmaster', { From: 'postmaster@enseigne.example' }, 'bounce'],
    ['empty Return-Path', { 'Return-Path': '<>' }, 'bounce'],
    ['multipart/report', { 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b"' }, 'bounce'],
    ['our own address (a loop)', { From: `Support <${SUPPORT}>` }, 'loop'],
    ['a plus-address of ours (a loop)', { From: 'support+1-aaaaaaaa-aaaaaaaaaaaaaaaa@woop.example' }, 'loop'],
    ['no sender', { From: '' }, 'malformed'],
    ['a forged plus-address token', { To: 'support+12-abcdefgh-abcdefghijklmnop@woop.example' }, 'forged-token'],
    [
      'a token of another key',
      { To: replyAddress(SUPPORT, replyToken(sealingKey(randomBytes(32)), 'SUPPORT-12', 'u')) },
      'forged-token',
    ],
    [
      'a forged token in In-Reply-To',
      { 'In-Reply-To': messageIdWithToken('ab12', '12-abcdefgh-abcdefghijklmnop') },
      'forged-token',
    ],
  ])('%s → refused', async (_name, headers, reason) => {
    expect(await refusedFor(raw(headers))).toBe(reason);
  });

  it('Auto-Submitted: no is a person writing', async () => {
    expect(await refusedFor(raw({ 'Auto-Submitted': 'no' }))).toBe('accepted');
  });

  it('an oversized message is refused without being parsed', async () => {
    const big = Buffer.concat([raw({}), Buffer.alloc(MAIL_MESSAGE_MAX_BYTES, 'a')]);
    expect(await refusedFor(big)).toBe('oversized');
  });

  it('bytes that are no message are refused as malformed', async () => {
    expect(await refusedFor(Buffer.from('\u0000\u0001\u0002 not a message at all'))).toBe('malformed');
    expect(await refusedFor(Buffer.alloc(0))).toBe('malformed');
  });
});

describe('readMessage: accepted messages', () => {
  it('a reply by plus-address: its claims, what the sender wrote, the language', async () => {
    const token = replyToken(key, 'SUPPORT-12', 'user-claire');
    const mail = mailOf(
      await readMessage(
        raw(
          {
            To: `"Support Woop" <${replyAddress(SUPPORT, token)}>`,
            Subject: 'Re: [SUPPORT-12] Informations demandées',
          },
          'Le numéro est FA-2026-118, merci.\r\n\r\nLe lun. 7 déc. 2026 à 10:02, Support <support@woop.example> a écrit :\r\n> ## Répondez au-dessus de cette ligne ##\r\n> Pouvez-vous préciser ?\r\n',
        ),
        opts,
      ),
    );
    expect(mail).toMatchObject({
      from: { address: 'claire@enseigne.example', name: 'Claire Martin' },
      subject: 'Re: [SUPPORT-12] Informations demandées',
      reply: { reference: 'SUPPORT-12', userTag: replyUserTag('user-claire') },
      visibleText: 'Le numéro est FA-2026-118, merci.',
      language: 'fr',
      attachments: [],
      receivedAt: '2026-12-07T10:00:00.000Z',
    });
    expect(mail.text).toContain('Pouvez-vous préciser ?');
  });

  it('a reply found by Delivered-To, or by the newest of our Message-IDs it answers (a previous key too)', async () => {
    const token = replyToken(previous, 'SUPPORT-7', 'user-ines');
    const byDelivery = mailOf(await readMessage(raw({ 'Delivered-To': replyAddress(SUPPORT, token) }), opts));
    expect(byDelivery.reply).toEqual({ reference: 'SUPPORT-7', userTag: replyUserTag('user-ines') });
    const older = replyToken(key, 'SUPPORT-3', 'user-ines');
    const byReferences = mailOf(
      await readMessage(
        raw({
          References: `${messageIdWithToken('aa', older)} <x@elsewhere.example> ${messageIdWithToken('bb', token)}`,
        }),
        opts,
      ),
    );
    expect(byReferences.reply?.reference).toBe('SUPPORT-7');
  });

  it('a new message to the support address carries no reply', async () => {
    const mail = mailOf(await readMessage(raw({ Subject: 'Imprimante en panne' }), opts));
    expect(mail.reply).toBeUndefined();
    expect(mail.visibleText).toBe('Bonjour,\nMerci pour votre aide.');
  });

  it('the message key: the Message-ID (however it is folded or cased), else the raw bytes', async () => {
    const a = mailOf(await readMessage(raw({ 'Message-ID': '<Abc.1@Mail.Example>' }), opts));
    const b = mailOf(await readMessage(raw({ 'Message-ID': '\r\n <abc.1@mail.example>', Subject: 'other' }), opts));
    expect(a.messageKey).toBe(b.messageKey);
    expect(a.messageKey).toBe(messageKeyOf('<abc.1@mail.example>', Buffer.alloc(0)));
    const none = raw({ 'Message-ID': '' });
    expect(mailOf(await readMessage(none, opts)).messageKey).toBe(messageKeyOf(undefined, none));
    expect(mailOf(await readMessage(none, opts)).messageId).toBeUndefined();
  });

  it('an HTML-only message becomes text, with nothing fetched and no markup', async () => {
    const mail = mailOf(
      await readMessage(
        raw(
          { 'Content-Type': 'text/html; charset=utf-8' },
          '<p>Hello <img src="https://tracker.example/p.gif">team,</p><script>alert(1)</script><p>The printer &lt;HP&gt; is down.</p>',
        ),
        opts,
      ),
    );
    expect(mail.text).toBe('Hello team,\n\nThe printer <HP> is down.');
    expect(mail.language).toBe('en');
  });

  it('keeps real attachments, not the images of the HTML body', async () => {
    const body = [
      '--mixed',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Voir la pièce jointe.</p><img src="cid:logo@sig">',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@sig>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('png-logo').toString('base64'),
      '--rel--',
      '--mixed',
      'Content-Type: application/pdf; name="facture.pdf"',
      'Content-Disposition: attachment; filename="facture.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 facture').toString('base64'),
      '--mixed--',
      '',
    ].join('\r\n');
    const mail = mailOf(await readMessage(raw({ 'Content-Type': 'multipart/mixed; boundary="mixed"' }, body), opts));
    expect(mail.attachments).toEqual([
      {
        filename: 'facture.pdf',
        contentType: 'application/pdf',
        size: 16,
        contentBase64: Buffer.from('%PDF-1.4 facture').toString('base64'),
      },
    ]);
    expect(mail.text).toBe('Voir la pièce jointe.');
  });
});
