import { REPLY_ABOVE_LINE } from '@woop/contracts';
import { createRenderer, REPLYABLE_TEMPLATES, TEMPLATE_NAMES, type TemplateName } from './templates';

const link = 'http://127.0.0.1:3000/signup/complete?token=wpl_abc';
const ticket = {
  reference: 'SUPPORT-42',
  summary: 'Étiquettes illisibles',
  ticketLink: 'http://127.0.0.1:3000/requests/SUPPORT-42',
};

/** Sample data for every template, as the planner gives it. */
const SAMPLES: Record<TemplateName, Record<string, unknown>> = {
  'signup-link': { link, expiresInMinutes: 30 },
  'signup-existing-account': {
    loginLink: 'http://127.0.0.1:3000/login',
    resetLink: 'http://127.0.0.1:3000/password-reset',
  },
  'signup-not-allowed': {},
  'password-reset': { link, expiresInMinutes: 30 },
  invitation: { link, expiresInDays: 3 },
  'account-changed': { name: 'Claire Martin', change: 'password_changed' },
  // As from an event made before it carried the first answer's due time.
  'ticket-created': { ...ticket, name: 'Claire Martin', firstAnswerDue: undefined },
  'ticket-status-changed': { ...ticket, name: 'Claire Martin', statusLabel: 'En cours', reason: undefined },
  'ticket-comment': { ...ticket, author: 'Paul Agent', body: 'Pouvez-vous réessayer ?' },
  'ticket-information-requested': { ...ticket, name: 'Claire Martin', question: 'Quel numéro de commande ?' },
  'ticket-resolved': {
    ...ticket,
    name: 'Claire Martin',
    answer: 'Corrigé.',
    validationDue: '7 décembre 2026 à 10:00',
    validateLink: `${ticket.ticketLink}?action=acceptResolution`,
    rejectLink: `${ticket.ticketLink}?action=rejectResolution`,
  },
  'ticket-validation-reminder': {
    ...ticket,
    name: 'Claire Martin',
    validationDue: '7 décembre 2026 à 10:00',
    validateLink: `${ticket.ticketLink}?action=acceptResolution`,
    rejectLink: `${ticket.ticketLink}?action=rejectResolution`,
  },
  'ticket-csat': {
    ...ticket,
    name: 'Claire Martin',
    statusLabel: 'Terminé',
    reason: undefined,
    csatLinks: [1, 2, 3, 4, 5].map((score) => ({
      score,
      href: `http://127.0.0.1:3000/csat?token=wsl1.abc&score=${score}&lang=fr`,
    })),
  },
  'ticket-sla-alert': { ...ticket, kind: 'breach', clock: 'resolution', priority: 'high' },
  'ticket-shared': { ...ticket, name: 'Hugo Martin', author: 'Claire Martin' },
  'agent-new-request': {
    ...ticket,
    name: 'Paul Agent',
    team: 'support',
    requester: 'Claire Martin',
    confidential: false,
    kind: 'new-request',
  },
  'agent-ticket-update': agentUpdate('information'),
  'mail-no-account': { signupLink: 'http://127.0.0.1:3000/signup' },
};

/** One agents' email about a customer's move, as the planner gives it. */
function agentUpdate(kind: string): Record<string, unknown> {
  const said = kind === 'comment' || kind === 'information';
  return {
    ...ticket,
    name: 'Paul Agent',
    kind,
    team: 'support',
    requester: 'Claire Martin',
    confidential: false,
    author: 'Claire Martin',
    body: said ? 'Commande CMD-42, livrée au dépôt de Lyon.' : undefined,
    reason: said ? undefined : 'Le colis n’est toujours pas arrivé.',
    unassigned: kind === 'rejection-contested',
  };
}

const SUBJECT_KEYS: Partial<Record<TemplateName, string>> = {
  'ticket-sla-alert': 'ticket-sla-alert.subject-breach',
  'agent-ticket-update': 'agent-ticket-update.subject-information',
};

describe('email templates', () => {
  const renderer = createRenderer();

  describe.each(TEMPLATE_NAMES)('%s', (name) => {
    it.each(['fr', 'en'] as const)('renders in %s', (locale) => {
      const email = renderer.render(name, locale, SAMPLES[name], SUBJECT_KEYS[name]);
      expect(email.html).toMatch(new RegExp(`<html lang=['"]${locale}['"]>`));
      expect(email.html).not.toMatch(/\{[a-z]+\}|undefined/);
      expect(`${email.subject}\n\n${email.text}`).toMatchSnapshot();
    });
  });

  describe.each(['comment', 'resolution-rejected', 'rejection-contested', 'reopened'])(
    'agent-ticket-update about %s',
    (kind) => {
      it.each(['fr', 'en'] as const)('renders in %s', (locale) => {
        const subjectKey = `agent-ticket-update.subject-${kind}`;
        const email = renderer.render('agent-ticket-update', locale, agentUpdate(kind), subjectKey);
        expect(email.html).not.toMatch(/\{[a-z]+\}|undefined/);
        expect(`${email.subject}\n\n${email.text}`).toMatchSnapshot();
      });
    },
  );

  describe('the email channel', () => {
    const ABOUT_A_REQUEST = TEMPLATE_NAMES.filter(
      (n) => (n.startsWith('ticket-') || n.startsWith('agent-')) && n !== 'ticket-sla-alert',
    );
    it.each(['fr', 'en'] as const)(
      'starts every email about a request with the reply line and never says not to reply (%s)',
      (locale) => {
        expect([...REPLYABLE_TEMPLATES].sort()).toEqual([...ABOUT_A_REQUEST].sort());
        for (const name of ABOUT_A_REQUEST) {
          const email = renderer.render(name, locale, SAMPLES[name], SUBJECT_KEYS[name]);
          expect([name, email.text.split('\n')[0]]).toEqual([name, REPLY_ABOVE_LINE[locale]]);
          // The HTML part's first visible line is the same marker.
          const firstText = /<body[^>]*>\s*<div[^>]*>([^<]*)<\/div>/.exec(email.html)?.[1];
          expect([name, firstText]).toEqual([name, REPLY_ABOVE_LINE[locale]]);
          for (const part of [email.text, email.html]) {
            expect(part).not.toMatch(/ne répondez pas|do not reply/i);
            expect(part).toMatch(/Répondez au-dessus de cette ligne|Reply above this line/);
          }
        }
      },
    );

    it.each(['fr', 'en'] as const)('keeps the reply line out of the emails about no request (%s)', (locale) => {
      for (const name of TEMPLATE_NAMES.filter((n) => !REPLYABLE_TEMPLATES.has(n))) {
        const email = renderer.render(name, locale, SAMPLES[name], SUBJECT_KEYS[name]);
        expect([name, email.text.includes(REPLY_ABOVE_LINE[locale])]).toEqual([name, false]);
        expect([name, email.html.includes(REPLY_ABOVE_LINE[locale])]).toEqual([name, false]);
      }
    });

    it('explains to an unknown sender how to create an account, in their language', () => {
      const fr = renderer.render('mail-no-account', 'fr', SAMPLES['mail-no-account']);
      expect(fr.subject).toBe('Votre e-mail au support WOOP');
      expect(fr.text).toContain('créez votre compte sur le portail');
      expect(fr.text).toContain('http://127.0.0.1:3000/signup');
      const en = renderer.render('mail-no-account', 'en', SAMPLES['mail-no-account']);
      expect(en.text).toContain('create your account on the portal');
    });
  });

  describe('ticket-created with the first answer promised', () => {
    const due = { fr: 'lundi 7 décembre 2026 à 12:00', en: 'Monday, 7 December 2026 at 12:00' };
    it.each(['fr', 'en'] as const)('says when the first answer is due, in %s', (locale) => {
      const email = renderer.render('ticket-created', locale, {
        ...SAMPLES['ticket-created'],
        firstAnswerDue: due[locale],
      });
      const sentence = {
        fr: 'Première réponse prévue avant le lundi 7 décembre 2026 à 12:00.',
        en: 'First answer expected by Monday, 7 December 2026 at 12:00.',
      }[locale];
      expect(email.text).toContain(sentence);
      expect(email.html).toContain(sentence);
      expect(`${email.subject}\n\n${email.text}`).toMatchSnapshot();
    });
  });

  it('marks a confidential new request', () => {
    const email = renderer.render('agent-new-request', 'fr', { ...SAMPLES['agent-new-request'], confidential: true });
    expect(email.text).toContain("Demande confidentielle : elle ne doit pas sortir de l'équipe.");
    expect(renderer.render('agent-new-request', 'fr', SAMPLES['agent-new-request']).text).not.toContain(
      'confidentielle',
    );
  });

  it('says what the guide says, in French by default', () => {
    const signup = renderer.render('signup-link', 'fr', SAMPLES['signup-link']);
    expect(signup.text).toContain('Almost done!');
    // Handlebars escapes `=` as &#x3D; inside attributes, which a mail client decodes back.
    expect(signup.html.replaceAll('&#x3D;', '=')).toContain(`href="${link}"`);
    const status = renderer.render('ticket-status-changed', 'fr', SAMPLES['ticket-status-changed']);
    expect(status.text).toContain("L'état de votre demande est désormais En cours.");
  });

  /** Every text a person types that an email shows, as a hostile person would type it. */
  const TYPED = ['summary', 'name', 'author', 'requester', 'body', 'question', 'answer', 'reason', 'team'];
  const markup = (key: string) => `<script>alert("${key}")</script><img src=x onerror=alert(1)>\r\nBcc: x@evil.example`;

  describe.each(TEMPLATE_NAMES)('%s with markup in every typed text', (name) => {
    it.each(['fr', 'en'] as const)('escapes it in %s, and keeps the subject on one line', (locale) => {
      const data = Object.fromEntries(
        Object.entries(SAMPLES[name]).map(([k, v]) => [k, TYPED.includes(k) && typeof v === 'string' ? markup(k) : v]),
      );
      const email = renderer.render(name, locale, data, SUBJECT_KEYS[name]);
      expect(email.html).not.toMatch(/<script|<img src=x/);
      for (const key of TYPED.filter((k) => typeof data[k] === 'string' && email.text.includes(`alert("${k}")`))) {
        // Shown in the text part: then shown escaped in the HTML part too.
        expect([key, email.html.includes(`&lt;script&gt;alert(&quot;${key}&quot;)`)]).toEqual([key, true]);
      }
      expect(email.subject).not.toMatch(/[\r\n]/);
    });
  });

  it('escapes what people wrote in the HTML part, not in the text part', () => {
    const email = renderer.render('ticket-comment', 'fr', {
      ...SAMPLES['ticket-comment'],
      body: '<script>alert(1)</script> & co',
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(email.text).toContain('<script>alert(1)</script> & co');
  });
});
