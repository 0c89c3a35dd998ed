import type { CsatRating } from '@woop/contracts';
import { translator } from '../i18n';
import type { PageContext } from '../kit';
import { checkRating, csatPanel, scoreOf } from './presenter';

const pageIn = (locale: 'fr' | 'en', query: Record<string, string> = {}) =>
  ({ locale, t: translator(locale), req: { query } }) as unknown as PageContext;
const rating: CsatRating = {
  score: 4,
  comment: 'Rapide',
  at: '2026-12-07T09:02:00Z',
  by: { id: 'user-claire', role: 'customer', name: 'Claire Martin' },
  closure: 1,
};

describe('satisfaction on the pages', () => {
  it('takes a score of the five only, and checks the rating with the contract, in the page language', () => {
    expect(['1', '5', '0', '6', '4.5', ' 3', undefined].map(scoreOf)).toEqual([
      1,
      5,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(checkRating({ score: '4', comment: '  ' }, 'fr')).toEqual({ data: { score: 4 } });
    expect(checkRating({ score: '2', comment: 'Lent' }, 'en')).toEqual({ data: { score: 2, comment: 'Lent' } });
    expect(checkRating({ comment: 'Sans note' }, 'fr').errors).toEqual({ score: 'Ce champ est obligatoire.' });
    expect(checkRating({ score: '3', comment: 'x'.repeat(2001) }, 'en').errors?.comment).toMatch(/2000/);
  });

  it('asks on the request page only when the caller may rate, with the score an email chose, and shows the rating given', () => {
    const asked = csatPanel(pageIn('fr', { csat: '5' }), { status: 'done' }, 'SUPPORT-9', ['comment', 'rate']);
    expect(asked?.prompt?.action).toBe('/requests/SUPPORT-9/csat');
    expect(asked?.prompt?.scores.map((s) => [s.score, s.checked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(csatPanel(pageIn('fr'), { status: 'done' }, 'SUPPORT-9', ['comment', 'reopen'])).toBeUndefined();
    const shown = csatPanel(pageIn('en'), { status: 'done', csat: rating }, 'SUPPORT-9', ['reply']);
    expect(shown).toEqual({
      prompt: undefined,
      rating: { score: 4, text: '4 out of 5', comment: 'Rapide', by: 'Claire Martin', at: '7 Dec 2026, 10:02' },
    });
  });
});
