import {
  DEVELOPMENT_MAIL_REPLY_KEY,
  openReplyToken,
  replyUserTag,
  sealingKeySchema,
  tokenOfAddress,
  tokensOfReferences,
} from '@woop/service-kit';
import { messageIdFor, replyHeadersOf } from './headers';

const key = sealingKeySchema.parse(DEVELOPMENT_MAIL_REPLY_KEY);
const reply = { key, supportAddress: 'support@woop.example' };

describe('reply headers of an email', () => {
  it('gives an email about a request a Reply-To and a Message-ID that open to the request and its recipient', () => {
    const headers = replyHeadersOf({ replyFor: { reference: 'SUPPORT-1042', userId: 'user-claire' } }, reply);
    expect(headers).toBeDefined();
    const token = tokenOfAddress('support@woop.example', headers!.replyTo);
    expect(token).toBe(headers!.token);
    expect(openReplyToken([key], token!)).toEqual({ reference: 'SUPPORT-1042', userTag: replyUserTag('user-claire') });
    const messageId = messageIdFor('SUPPORT-1042:1:0:ticket.created', 'user-claire', headers!.token);
    expect(tokensOfReferences(messageId)).toEqual([headers!.token]);
    // The same digest as without a token: deterministic per event and recipient.
    const plain = messageIdFor('SUPPORT-1042:1:0:ticket.created', 'user-claire');
    expect(messageId.slice(0, 33)).toBe(plain.slice(0, 33));
    expect(messageIdFor('SUPPORT-1042:1:0:ticket.created', 'user-claire', headers!.token)).toBe(messageId);
  });

  it('gives none to an email about no request, or one whose reference is no request number', () => {
    expect(replyHeadersOf({}, reply)).toBeUndefined();
    expect(replyHeadersOf({ replyFor: { reference: 'SUPPORT-n-abc', userId: 'u' } }, reply)).toBeUndefined();
  });
});
