import { Algorithm, hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { problem } from './problems';

/**
 * Passwords: 12 to 256 characters, not one of the ~49 000 common passwords shipped with
 * zxcvbn-ts, hashed with argon2id at OWASP's first recommended setting (19 MiB, 2 passes,
 * 1 lane): about 30 ms here, memory-hard against GPU guessing.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
export const ARGON2_PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common';

export function passwordProblem(password: string, context: string[] = []): PasswordProblem | undefined {
  if (password.length < PASSWORD_MIN) return 'too_short';
  if (password.length > PASSWORD_MAX) return 'too_long';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'too_common';
  // The account's own email or name as the password is as guessable as a common one.
  if (context.some((c) => c.length >= 4 && lower.includes(c.toLowerCase()))) return 'too_common';
  return undefined;
}

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_PARAMS);

// Verifying against this when the email is unknown makes both answers take the same time.
let dummy: Promise<string> | undefined;

export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  const target = stored ?? (await (dummy ??= hash('not-a-real-password-for-timing', ARGON2_PARAMS)));
  const ok = await verify(target, password).catch(() => false);
  return stored !== undefined && ok;
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: 'Use at least 12 characters.',
  too_long: 'Use at most 256 characters.',
  too_common: 'This password is too easy to guess; choose another one.',
};

/** Refuses a weak password (`weak_password`, the sentence on `field`); `context`: the account's email and name. */
export function checkPassword(password: string, context: string[], field = 'password'): void {
  const weakness = passwordProblem(password, context);
  if (weakness) {
    const message = MESSAGES[weakness];
    throw problem('weak_password', message, [{ path: field, message }]);
  }
}
