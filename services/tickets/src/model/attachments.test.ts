import { matchesSignature } from './attachments';

describe('matchesSignature', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const html = Buffer.from('<html><script>alert(1)</script></html>');

  it('accepts files that start as their type says', () => {
    expect(matchesSignature('image/png', png)).toBe(true);
    expect(matchesSignature('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]))).toBe(true);
    expect(matchesSignature('image/gif', Buffer.from('GIF87a....'))).toBe(true);
    expect(matchesSignature('image/gif', Buffer.from('GIF89a....'))).toBe(true);
    expect(matchesSignature('application/pdf', Buffer.from('%PDF-1.7\n'))).toBe(true);
    expect(
      matchesSignature(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]),
      ),
    ).toBe(true);
  });

  it('refuses a file disguised as another type, or cut short', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'application/pdf']) {
      expect(matchesSignature(type, html)).toBe(false);
    }
    expect(matchesSignature('image/jpeg', png)).toBe(false);
    expect(matchesSignature('image/png', png.subarray(0, 4))).toBe(false);
    expect(matchesSignature('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', html)).toBe(false);
  });

  it('has nothing to check for plain text', () => {
    expect(matchesSignature('text/plain', html)).toBe(true);
    expect(matchesSignature('text/csv', Buffer.from('a;b\n1;2\n'))).toBe(true);
  });
});
