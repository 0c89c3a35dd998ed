import { reportQuery, reportSchema } from '@woop/contracts';
import { forward, type ApiRoute } from './route';

/** The desk's reports: admins and agents who lead a team (the tickets service decides). */
export const reportRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/reports',
    operationId: 'getReport',
    summary:
      'The desk’s figures for a period: created/answered per week, backlog, SLA compliance, time to first answer',
    description:
      'Admins, and agents who lead a team (members of `<team>-leads`, on the teams they lead). Confidential requests count only for who may see them.',
    tag: 'Reports',
    auth: 'user',
    query: reportQuery,
    responses: { 200: { description: 'The report', schema: reportSchema } },
    errors: { 403: ['forbidden'] },
    handle: forward('tickets', () => '/v1/reports'),
  },
];
