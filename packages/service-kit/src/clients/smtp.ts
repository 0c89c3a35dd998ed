import nodemailer, { type Transporter } from 'nodemailer';
import type { ReadinessCheck } from '../readiness';

export interface SmtpHandle {
  readonly transport: Transporter;
  readonly readiness: ReadinessCheck;
  close(): Promise<void>;
}

/** nodemailer transport from an smtp:// or smtps:// URL (credentials may be in the URL). */
export function createSmtp(smtpUrl: string): SmtpHandle {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    transport,
    readiness: {
      name: 'smtp',
      async check() {
        await transport.verify();
      },
    },
    async close() {
      transport.close();
    },
  };
}
