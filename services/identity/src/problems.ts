import { COMMON_ERRORS, IDENTITY_ERRORS } from '@woop/contracts';
import { problems } from '@woop/service-kit';

/** The identity API's problems, from its catalogue (`@woop/contracts`, api/errors.ts) and the kit's. */
export const problem = problems({ ...COMMON_ERRORS, ...IDENTITY_ERRORS });
