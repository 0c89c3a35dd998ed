import { htmlToText, languageOf, stripReply } from './text';

const TOKEN_ADDRESS = 'support+12-abcdefgh-abcdefghijklmnop@woop.example';

describe('stripReply: what the sender wrote above the history', () => {
  it('cuts a French reply at "Le … a écrit :" (Gmail, wrapped over two lines) and the marker', () => {
    const text = [
      'Bonjour,',
      '',
      'Le numéro de facture est FA-2026-118.',
      '',
      'Cordialement,',
      'Claire',
      '',
      'Le lun. 7 déc. 2026 à 10:02, Support Woop <',
      `${TOKEN_ADDRESS}> a écrit :`,
      '',
      '> ## Répondez au-dessus de cette ligne ##',
      '> Pouvez-vous préciser le numéro de facture ?',
    ].join('\n');
    expect(stripReply(text)).toEqual({
      visibleText: 'Bonjour,\n\nLe numéro de facture est FA-2026-118.\n\nCordialement,\nClaire',
      headerLanguage: 'fr',
    });
  });

  it('cuts an English reply at "On … wrote:" and a mobile signature', () => {
    const text = [
      'The invoice number is FA-2026-118.',
      '',
      'Sent from my iPhone',
      '',
      `On Mon, Dec 7, 2026 at 10:02 AM Woop Support <${TOKEN_ADDRESS}> wrote:`,
      '> ## Reply above this line ##',
      '> Could you give the invoice number?',
    ].join('\n');
    expect(stripReply(text)).toEqual({ visibleText: 'The invoice number is FA-2026-118.', headerLanguage: 'en' });
  });

  it("cuts Outlook's French block (De : … Envoyé :) and its rule", () => {
    const text = [
      'Voici le numéro : FA-2026-118',
      '',
      '________________________________',
      'De : Support Woop <support+12-abcdefgh-abcdefghijklmnop@woop.example>',
      'Envoyé : lundi 7 décembre 2026 10:02',
      'À : Claire Martin <claire@enseigne.example>',
      'Objet : [SUPPORT-12] Informations demandées',
      '',
      '## Répondez au-dessus de cette ligne ##',
    ].join('\r\n');
    expect(stripReply(text)).toEqual({ visibleText: 'Voici le numéro : FA-2026-118', headerLanguage: 'fr' });
  });

  it("cuts Outlook's English block (From: … Sent:)", () => {
    const text = [
      'Here it is: FA-2026-118',
      '',
      'From: Woop Support <support@woop.example>',
      'Sent: Monday, December 7, 2026 10:02 AM',
      'To: Ines <ines@transports.example>',
      'Subject: RE: [SUPPORT-12] Information requested',
      '',
      'Could you give the invoice number?',
    ].join('\n');
    expect(stripReply(text)).toEqual({ visibleText: 'Here it is: FA-2026-118', headerLanguage: 'en' });
  });

  it('cuts at the marker alone (a client that quotes with no header), either language', () => {
    expect(stripReply('Merci !\n\n## Reply above this line ##\nOld text').visibleText).toBe('Merci !');
    expect(stripReply('Thanks!\n> ## Répondez au-dessus de cette ligne ##\n> old').visibleText).toBe('Thanks!');
  });

  it('drops quoted lines left at the end, and an RFC 3676 signature', () => {
    expect(stripReply('Yes, please close it.\n-- \nHugo Bernard\nEnseigne SA\n').visibleText).toBe(
      'Yes, please close it.',
    );
    expect(stripReply('Ok.\n\n> earlier text\n> more\n').visibleText).toBe('Ok.');
  });

  it('keeps a new message whole', () => {
    const text = 'Bonjour,\nMon imprimante ne répond plus depuis ce matin.\nMerci';
    expect(stripReply(text)).toEqual({ visibleText: text });
  });

  it("does not take a sentence starting with 'On' or 'Le' for a quote header", () => {
    const text = 'On the second floor the printer is down.\nLe serveur ne répond plus.';
    expect(stripReply(text).visibleText).toBe(text);
  });
});

describe('htmlToText', () => {
  it('turns HTML into text: no image, no script, links as text and address, quotes as ">"', () => {
    const text = htmlToText(
      '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>' +
        '<p>Bonjour <b>équipe</b>,</p><p><img src="https://tracker.example/pixel.gif" alt="x">' +
        'Voir <a href="https://docs.example/doc">la doc</a>.</p>' +
        '<div>Le lun. 7 déc. 2026, Support a écrit :</div><blockquote><p>Question ?</p></blockquote></body></html>',
    );
    expect(text).not.toMatch(/alert|color|pixel|<|>\s*$/m);
    expect(text).toContain('Bonjour équipe,');
    expect(text).toContain('la doc [https://docs.example/doc]');
    expect(text).toMatch(/^> Question \?$/m);
    expect(stripReply(text).visibleText).toBe('Bonjour équipe,\n\nVoir la doc [https://docs.example/doc].');
  });
});

describe('languageOf', () => {
  it('tells French and English by their common words', () => {
    expect(languageOf('Bonjour, le numéro de la facture est dans la pièce jointe. Merci')).toBe('fr');
    expect(languageOf('Hello, the invoice number is in the attachment. Thanks')).toBe('en');
  });
  it("falls back on the quote header's language, then Content-Language, else says nothing", () => {
    expect(languageOf('FA-2026-118', 'fr')).toBe('fr');
    expect(languageOf('FA-2026-118', undefined, 'en-GB')).toBe('en');
    expect(languageOf('FA-2026-118')).toBeUndefined();
  });
});
