import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes kept current by the ticket workflow so operators can filter tickets
 * in the Temporal Web UI. The local dev server registers them in deploy/local/temporal.sh and
 * docker-compose.yml registers them at start; a test checks the server has every one.
 */
export const SEARCH_ATTRIBUTES = {
  reference: defineSearchAttributeKey('TicketReference', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('TicketStatus', SearchAttributeType.KEYWORD),
  requestType: defineSearchAttributeKey('RequestType', SearchAttributeType.KEYWORD),
  organizationId: defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD),
  assignee: defineSearchAttributeKey('Assignee', SearchAttributeType.KEYWORD),
  assignedTeam: defineSearchAttributeKey('AssignedTeam', SearchAttributeType.KEYWORD),
  priority: defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD),
  slaBreached: defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL),
} as const;
