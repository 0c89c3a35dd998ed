import { ProblemError } from '@woop/service-kit';
import { problem } from '../problems';

/** A page that does not exist for this person (or at all): the "not found" page. */
export const notFound = () => problem('not_found');

/** A service's 403 on a page is a page that does not exist for this person: nothing about why. */
export const hide403 = (err: unknown): never => {
  if (err instanceof ProblemError && err.status === 403) throw notFound();
  throw err;
};
