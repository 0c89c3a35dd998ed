import { API_ERRORS } from '@woop/contracts';
import { problems } from '@woop/service-kit';

/**
 * The gateway's problems: its own (GATEWAY_ERRORS) and, since it answers for the whole API, any
 * code of the services' catalogues (a page that refuses a malformed reference says
 * `ticket_not_found`, as the tickets service would).
 */
export const problem = problems(API_ERRORS);
