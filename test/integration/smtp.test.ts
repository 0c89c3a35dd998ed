import { createSmtp } from '@woop/service-kit';
import { uniqueId } from '../support/ids';
import { waitForEmail } from '../support/mailcatcher';

describe('SMTP catcher through nodemailer and the project transport', () => {
  const smtp = createSmtp(process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025');
  afterAll(() => smtp.close());

  it('delivers an email that can be read back from the catcher API', async () => {
    const subject = uniqueId('Presque terminé');
    await smtp.transport.sendMail({
      from: 'Support portal <support@woop.example>',
      to: 'client@enseigne.example',
      subject,
      text: 'Suivez le lien pour terminer votre inscription.',
      html: '<p>Suivez le lien pour terminer votre inscription.</p>',
    });
    const email = await waitForEmail((e) => e.subject === subject);
    expect(email.to[0]?.address).toBe('client@enseigne.example');
    expect(email.text).toContain('terminer votre inscription');
  });

  it('answers the readiness check', async () => {
    await expect(smtp.readiness.check()).resolves.toBeUndefined();
  });
});
