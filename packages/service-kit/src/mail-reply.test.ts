import { randomBytes } from 'node:crypto';
import {
  messageIdWithToken,
  openReplyToken,
  replyAddress,
  replyToken,
  replyUserTag,
  tokenOfAddress,
  tokensOfReferences,
} from './mail-reply';
import { sealingKey } from './sealing';

const key = sealingKey(randomBytes(32));
const previous = sealingKey(randomBytes(32));

describe('reply tokens', () => {
  it('open to the request and the recipient tag they were made for', () => {
    const token = replyToken(key, 'SUPPORT-17966447738581', 'user-claire');
    expect(token.length).toBeLessThanOrEqual(44);
    expect(replyAddress('support@woop.example', token).split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(openReplyToken([key], token)).toEqual({
      reference: 'SUPPORT-17966447738581',
      userTag: replyUserTag('user-claire'),
    });
  });

  it('refuse another key, an altered reference, tag or MAC, and garbage', () => {
    const token = replyToken(key, 'SUPPORT-42', 'user-claire');
    const [digits, tag, mac] = token.split('-') as [string, string, string];
    expect(openReplyToken([sealingKey(randomBytes(32))], token)).toBeUndefined();
    expect(openReplyToken([key], `43-${tag}-${mac}`)).toBeUndefined();
    expect(openReplyToken([key], `${digits}-${replyUserTag('user-hugo')}-${mac}`)).toBeUndefined();
    expect(
      openReplyToken([key], `${digits}-${tag}-${mac.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`),
    ).toBeUndefined();
    for (const junk of ['', 'x', '42', `${token}-x`, '../../etc', 'SUPPORT-42'])
      expect(openReplyToken([key], junk)).toBeUndefined();
  });

  it('a previous key still opens what it made (rotation)', () => {
    const token = replyToken(previous, 'SUPPORT-7', 'u1');
    expect(openReplyToken([key], token)).toBeUndefined();
    expect(openReplyToken([key, previous], token)?.reference).toBe('SUPPORT-7');
  });

  it('is found in a plus-address of the support mailbox only, in any case', () => {
    const token = replyToken(key, 'SUPPORT-7', 'u1');
    expect(tokenOfAddress('support@woop.example', `Support+${token.toUpperCase()}@Woop.Example`)).toBe(token);
    expect(tokenOfAddress('support@woop.example', `other+${token}@woop.example`)).toBeUndefined();
    expect(tokenOfAddress('support@woop.example', `support+${token}@evil.example`)).toBeUndefined();
    expect(tokenOfAddress('support@woop.example', 'support@woop.example')).toBeUndefined();
  });

  it('is found in In-Reply-To / References when the Message-ID is ours', () => {
    const token = replyToken(key, 'SUPPORT-7', 'u1');
    const ours = messageIdWithToken('ab12', token);
    expect(tokensOfReferences(`<x@mail.example> ${ours}`)).toEqual([token]);
    expect(tokensOfReferences([ours])).toEqual([token]);
    expect(tokensOfReferences(`<ab12.${token}@elsewhere.example>`)).toEqual([]);
    expect(tokensOfReferences(messageIdWithToken('ab12'))).toEqual([]);
    expect(tokensOfReferences(undefined)).toEqual([]);
  });
});
