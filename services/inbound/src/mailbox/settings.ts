import type { MailReceived } from '@woop/contracts';
import type { SealingKey } from '@woop/service-kit';

/** Where the support mailbox is and how it is read. */
export interface ReaderSettings {
  host: string;
  port: number;
  /** true: TLS from the start; starttls: required upgrade; false: clear text (local only). */
  tls: 'true' | 'false' | 'starttls';
  user: string;
  password: string;
  mailbox: string;
  folders: { processed: string; refused: string; held: string };
  pollMs: number;
  reconnectMaxMs: number;
  ratePerHour: number;
  supportAddress: string;
  keys: readonly SealingKey[];
  /** Tests: runs between the publication and the move (a crash there must not lose nor double). */
  afterPublish?: (mail: MailReceived) => Promise<void>;
}
