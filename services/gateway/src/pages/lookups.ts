import type { z } from 'zod';
import type { requestTypeSchema, userSchema } from '@woop/contracts';
import type { PageContext } from './kit';

export type RequestType = z.infer<typeof requestTypeSchema>;
export type Person = z.infer<typeof userSchema>;

/** The request types (of one portal, or all), as the tickets service serves the catalogue. */
export const catalogueOf = (ctx: PageContext, portal?: 'retailer' | 'carrier'): Promise<RequestType[]> =>
  ctx
    .call<{ items: RequestType[] }>('tickets', {
      method: 'GET',
      path: `/v1/catalogue${portal ? `?portal=${portal}` : ''}`,
    })
    .then((c) => c.items);

/**
 * What an agent's page only decorates with (names, choices): the page still shows, plainer,
 * while the service that has it does not answer.
 */
export const orNothing = <T>(lookup: Promise<T[]>): Promise<T[]> => lookup.catch(() => [] as T[]);

/** The people the caller may see (everyone, for agents), for names and choices. */
export const peopleOf = (ctx: PageContext): Promise<Person[]> =>
  ctx.call<{ items: Person[] }>('identity', { method: 'GET', path: '/v1/users' }).then((u) => u.items);
