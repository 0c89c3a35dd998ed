import { PRIORITIES } from '@woop/contracts';
import { DEFAULT_SLA_POLICIES, DEFAULT_WINDOW_DAYS, lifecycleWindows } from './policies';
import { PARIS_OFFICE_CALENDAR } from './calendar';

describe('default SLA policies and windows', () => {
  it.each(Object.values(DEFAULT_SLA_POLICIES))('$id has a target for every priority, tighter as it rises', (policy) => {
    const resolution = PRIORITIES.map((p) => policy.targets[p].resolutionMinutes);
    const first = PRIORITIES.map((p) => policy.targets[p].firstResponseMinutes);
    expect([...resolution].sort((a, b) => b - a)).toEqual(resolution);
    expect([...first].sort((a, b) => b - a)).toEqual(first);
    for (const p of PRIORITIES) {
      expect(policy.targets[p].firstResponseMinutes).toBeLessThanOrEqual(policy.targets[p].resolutionMinutes);
    }
  });

  it('turns window days into business minutes of the calendar (9 h days in Paris)', () => {
    expect(lifecycleWindows(DEFAULT_WINDOW_DAYS, PARIS_OFFICE_CALENDAR)).toEqual({
      validationMinutes: 5 * 540,
      validationReminderMinutes: 540,
      reopenMinutes: 10 * 540,
    });
  });
});
