import {
  cannedAnswerBody,
  cannedAnswerList,
  cannedAnswerListQuery,
  cannedAnswerParams,
  cannedAnswerSchema,
  cannedAnswerUpdateBody,
} from '@woop/contracts';
import { forward, type ApiRoute } from './route';

const WHO =
  'Admins: every team’s. Agents read the answers of the teams they work in or lead, and write those of ' +
  'the teams they lead (members of `<team>-leads`); customers: 403 `forbidden`.';
const one = (p: Record<string, string>) => `/v1/canned-answers/${p.answerId}`;

/** The teams' canned answers, kept by the tickets service. */
export const cannedAnswerRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/canned-answers',
    operationId: 'listCannedAnswers',
    summary: 'Canned answers of my teams, and the teams I may add answers to',
    description: WHO,
    tag: 'Canned answers',
    auth: 'user',
    query: cannedAnswerListQuery,
    responses: { 200: { description: 'The answers', schema: cannedAnswerList } },
    errors: { 403: ['forbidden'] },
    handle: forward('tickets', () => '/v1/canned-answers'),
  },
  {
    method: 'post',
    path: '/canned-answers',
    operationId: 'createCannedAnswer',
    summary: 'Add a canned answer to a team (admins, the team’s leads)',
    description:
      `${WHO} The texts may hold the placeholders {{customerName}}, {{reference}}, {{type}} and {{agentName}}, ` +
      'filled when an agent inserts the answer into a reply; any other `{{…}}` is refused (400, naming it).',
    tag: 'Canned answers',
    auth: 'user',
    body: cannedAnswerBody,
    responses: {
      201: {
        description: 'Created',
        schema: cannedAnswerSchema,
        headers: { Location: 'The new answer' },
      },
    },
    errors: { 403: ['forbidden'] },
    handle: forward('tickets', () => '/v1/canned-answers'),
  },
  {
    method: 'get',
    path: '/canned-answers/{answerId}',
    operationId: 'getCannedAnswer',
    summary: 'One canned answer',
    description: WHO,
    tag: 'Canned answers',
    auth: 'user',
    params: cannedAnswerParams,
    responses: { 200: { description: 'The answer', schema: cannedAnswerSchema } },
    errors: { 403: ['forbidden'], 404: ['canned_answer_not_found'] },
    handle: forward('tickets', one),
  },
  {
    method: 'put',
    path: '/canned-answers/{answerId}',
    operationId: 'updateCannedAnswer',
    summary: 'Replace a canned answer (admins, the team’s leads), given the version edited',
    description:
      `${WHO} \`version\` is the version the edit was made on: when someone saved another since, ` +
      '409 `canned_answer_conflict` (read it again): no edit overwrites one it did not see.',
    tag: 'Canned answers',
    auth: 'user',
    params: cannedAnswerParams,
    body: cannedAnswerUpdateBody,
    responses: { 200: { description: 'The answer as saved', schema: cannedAnswerSchema } },
    errors: { 403: ['forbidden'], 404: ['canned_answer_not_found'], 409: ['canned_answer_conflict'] },
    handle: forward('tickets', one),
  },
  {
    method: 'delete',
    path: '/canned-answers/{answerId}',
    operationId: 'deleteCannedAnswer',
    summary: 'Delete a canned answer (admins, the team’s leads)',
    description: WHO,
    tag: 'Canned answers',
    auth: 'user',
    params: cannedAnswerParams,
    responses: { 204: { description: 'Deleted' } },
    errors: { 403: ['forbidden'], 404: ['canned_answer_not_found'] },
    handle: forward('tickets', one),
  },
];
