import {
  cannedAnswerBody,
  cannedAnswerUpdateBody,
  fillPlaceholders,
  PLACEHOLDER_PATTERN,
  unknownPlaceholders,
  type PlaceholderValues,
} from './canned-answers';

const values: PlaceholderValues = {
  customerName: 'Claire Martin',
  reference: 'SUPPORT-42',
  type: 'Poser une question',
  agentName: 'Paul Agent',
};

const answer = (fr: string, en = 'Hello {{customerName}}') => ({
  team: 'support',
  title: { fr: 'Accusé de réception', en: 'Acknowledgement' },
  body: { fr, en },
});

describe('canned answers: placeholders', () => {
  it('fills every known placeholder, spaces inside the braces allowed, the rest as written', () => {
    expect(
      fillPlaceholders(
        'Bonjour {{customerName}},\nvotre demande {{ reference }} ({{type}}) est prise en charge.\n{{agentName}} { ok }',
        values,
      ),
    ).toBe(
      'Bonjour Claire Martin,\nvotre demande SUPPORT-42 (Poser une question) est prise en charge.\nPaul Agent { ok }',
    );
  });

  it('fills in one pass: a value that looks like a placeholder is written as it is', () => {
    expect(fillPlaceholders('{{customerName}} / {{agentName}}', { ...values, customerName: '{{agentName}}' })).toBe(
      '{{agentName}} / Paul Agent',
    );
  });

  it('leaves markup in values as text (the pages escape what they print)', () => {
    expect(fillPlaceholders('Hi {{customerName}}', { ...values, customerName: '<b>x</b>' })).toBe('Hi <b>x</b>');
  });

  it.each([
    ['{{customer}}', ['{{customer}}']],
    ['{{ CustomerName }}', ['{{ CustomerName }}']],
    ['{{\treference}}', ['{{\treference}}']],
    ['{{{reference}}}', ['{{{reference}}']],
    ['Bonjour {{customerName', ['{{customerName']],
    ['fin {{', ['{{']],
    ['{{x}} et {{x}} et {{y}}', ['{{x}}', '{{y}}']],
    [`{{${'a'.repeat(60)}}}`, [`{{${'a'.repeat(37)}…`]],
  ])('names the unknown placeholders of %j', (text, unknown) => {
    expect(unknownPlaceholders(text)).toEqual(unknown);
    expect(PLACEHOLDER_PATTERN.test(text)).toBe(false);
  });

  it.each(['', 'Bonjour', '{ a } {b} }}', 'a{', '{x{{type}}', '{{reference}}}', '{ {{agentName}}'])(
    'takes %j, whose every {{ opens a known placeholder',
    (text) => {
      expect(unknownPlaceholders(text)).toEqual([]);
      expect(PLACEHOLDER_PATTERN.test(text)).toBe(true);
    },
  );
});

describe('canned answers: what a save takes', () => {
  it('takes an answer in both languages with known placeholders', () => {
    const parsed = cannedAnswerBody.parse(answer('  Bonjour {{customerName}}  '));
    expect(parsed.body.fr).toBe('Bonjour {{customerName}}');
  });

  it('refuses an unknown placeholder, saying which and what to write instead', () => {
    const parsed = cannedAnswerBody.safeParse(answer('Bonjour {{client}}', 'Hi {{ agent }}'));
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([
      ['body.fr', 'unknown placeholder {{client}}: write {{customerName}}, {{reference}}, {{type}}, {{agentName}}'],
      ['body.en', 'unknown placeholder {{ agent }}: write {{customerName}}, {{reference}}, {{type}}, {{agentName}}'],
    ]);
  });

  it('refuses a missing language, a blank text, a team that is no team, and an edit without its version', () => {
    expect(cannedAnswerBody.safeParse({ ...answer('x'), body: { fr: 'x' } }).success).toBe(false);
    expect(cannedAnswerBody.safeParse(answer('  \n ')).success).toBe(false);
    expect(cannedAnswerBody.safeParse({ ...answer('x'), team: 'Support!' }).success).toBe(false);
    expect(cannedAnswerUpdateBody.safeParse(answer('x')).success).toBe(false);
    expect(cannedAnswerUpdateBody.safeParse({ ...answer('x'), version: 3 }).success).toBe(true);
  });
});
