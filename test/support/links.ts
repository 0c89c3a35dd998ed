import { linkSealContext, type EventEnvelope, type LinkEventType, type UserFacts } from '@woop/contracts';
import { DEVELOPMENT_SEALING_KEY, sealingKeySchema, unseal, type SealingKey } from '@woop/service-kit';

/**
 * The token of a sign-up, reset or invitation event, opened as the notifications service opens
 * it (the events carry the link sealed: tests that read the topic instead of the email hold the
 * key, by default the one `npm start` and the harnesses use).
 */
export function linkTokenOf(event: EventEnvelope, key: SealingKey = sealingKeySchema.parse(DEVELOPMENT_SEALING_KEY)) {
  return linkOf(event, key).searchParams.get('token') ?? '';
}

/** The whole link of such an event (as emailed: the portal's page with its `?token=`). */
export function linkOf(event: EventEnvelope, key: SealingKey = sealingKeySchema.parse(DEVELOPMENT_SEALING_KEY)): URL {
  const type = event.type as LinkEventType;
  const address = type === 'user.invited' ? (event.data.user as UserFacts).email : String(event.data.email);
  return new URL(unseal(String(event.data.sealedLink), [key], linkSealContext(type, address)));
}
