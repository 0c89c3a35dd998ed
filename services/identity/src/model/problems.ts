import { COMMON_ERRORS, IDENTITY_ERRORS } from '@woop/contracts';
import { problems } from '@woop/service-kit';

/**
 * The identity API's problems, from its catalogue (`@woop/contracts`, api/errors.ts) and the kit's.
 * Here in the model, not in api/: the domain's own rules refuse with them (a used link, a weak
 * password, what a caller may not do), and the API answers what they throw.
 */
export const problem = problems({ ...COMMON_ERRORS, ...IDENTITY_ERRORS });

/** What a caller may not see answers as if it did not exist. */
export const notFound = () => problem('not_found', 'No such user or organisation.');

export const forbidden = (detail: string) => problem('forbidden', detail);
