import { COMMON_ERRORS, NOTIFICATIONS_ERRORS } from '@woop/contracts';
import { problems } from '@woop/service-kit';

/** The notifications API's problems, from its catalogue (`@woop/contracts`, api/errors.ts) and the kit's. */
export const problem = problems({ ...COMMON_ERRORS, ...NOTIFICATIONS_ERRORS });
