import type { EventEnvelope, LinkEventType, Locale } from '@woop/contracts';
import type { Recipient } from '../../model/directory';
import type { TemplateName } from '../mail/templates';
import type { CsatTokenMaker } from './csat-email';

/** Who gets which email for one event. `key` identifies the recipient in the delivery log. */
export interface PlannedEmail {
  key: string;
  address: string;
  recipientId?: string;
  locale: Locale;
  template: TemplateName;
  subjectKey?: string;
  data: Record<string, unknown>;
  /** Ticket emails: who may read the delivery log's row (see `ticketAccess`). */
  access?: TicketAccess;
  /**
   * An email about a request to a person: sent with a reply token for them (Reply-To and
   * Message-ID), so that their emailed reply lands on the request as theirs.
   */
  replyFor?: { reference: string; userId: string };
}

/**
 * Whether an email's ticket is confidential and the teams it was with, as the event told: the
 * delivery log shows the rows of a confidential ticket only to those who may see the ticket
 * (admins, the security team, the team it was assigned or escalated to), as the tickets service
 * decides who sees it.
 */
export interface TicketAccess {
  confidential: boolean;
  teams: string[];
}

/**
 * A person an event's email is for whom the directory does not know yet: their user.* event
 * (another topic, in no order with the ticket's) has not been read. The email waits for them
 * (`consumers/awaiting.ts`): parked until their event arrives (and dead-lettered as well after the
 * retry time); never dropped. An erased
 * person is known (a tombstone) and gets nothing.
 */
export interface AwaitedRecipient {
  /** The delivery log's recipient key the email would have (`userId`, `agent:<userId>`). */
  key: string;
  userId: string;
  template: TemplateName;
}

/** What one event makes: the emails to send now, and those waiting for their recipient. */
export interface EmailPlan {
  emails: PlannedEmail[];
  awaiting: AwaitedRecipient[];
}

export interface PlanContext {
  portalUrl: string;
  /** Known users (kept from user.* events; an erased one as a tombstone, status `erased`). */
  recipient(userId: string): Promise<Recipient | undefined>;
  /** Whether this user wants emails about this ticket (default yes). */
  wantsEmails(userId: string, reference: string): Promise<boolean>;
  /** Active agents (and admins) of a team, for the agents' emails. */
  teamAgents(team: string): Promise<Recipient[]>;
  /** Whether this agent wants the agents' emails (default yes). */
  wantsAgentEmails(userId: string): Promise<boolean>;
  /** Mailbox of an agent team (SLA alerts go to teams, never to customers). */
  teamAddress(team: string): string | undefined;
  linkTtl: { signupMinutes: number; inviteDays: number };
  /**
   * The link sealed into a version 2 sign-up, reset or invitation event for `address`
   * (`unseal` with the shared key and `linkSealContext`); throws when it does not open.
   */
  openLink(type: LinkEventType, address: string, sealedLink: string): string;
  /** The token of a satisfaction link for the requester of a request that became TERMINÉ (`csat-email.ts`). */
  csatToken: CsatTokenMaker;
  /** Told of an event its contract cannot read (it makes no email). */
  unreadable?(event: EventEnvelope, err: unknown): void;
}
