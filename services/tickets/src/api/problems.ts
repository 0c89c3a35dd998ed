import { COMMON_ERRORS, TICKETS_ERRORS } from '@woop/contracts';
import { problems } from '@woop/service-kit';

/** The tickets API's problems, from its catalogue (`@woop/contracts`, api/errors.ts) and the kit's. */
export const problem = problems({ ...COMMON_ERRORS, ...TICKETS_ERRORS });
