import { post } from './api';
import { signIn, type Session } from './session.svelte';
import { captureFragmentToken } from './fragmentToken';

// A verification link is /dashboard/verify-email#token=… (see fragmentToken.ts).

export const VERIFY_PATH = '/dashboard/verify-email';
const KEY = 'wrenn.verification';

/** What sign-up and resend answer where the operator set up mail: the same for every address. */
export interface VerificationSent { status: 'verification_sent'; message: string }

export function isVerificationSent(answer: unknown): answer is VerificationSent {
  return typeof answer === 'object' && answer !== null && (answer as { status?: unknown }).status === 'verification_sent';
}

/** On the verify page, moves the fragment's token into this tab and drops the fragment from the address bar. */
export function captureVerification(): void {
  captureFragmentToken(VERIFY_PATH, KEY);
}

export function pendingVerification(): string | null {
  return sessionStorage.getItem(KEY);
}

/** Spends the link's token: the account it makes or verifies is signed in. The token is forgotten either way. */
export async function verifyEmail(token: string): Promise<Session> {
  try {
    const session = await post<Session>('/v1/auth/verify-email', { token });
    signIn(session);
    return session;
  } finally {
    sessionStorage.removeItem(KEY);
  }
}

/** Asks for a new link for the sign-up (or unverified account) this email and password belong to. */
export function resendVerification(email: string, password: string): Promise<VerificationSent> {
  return post<VerificationSent>('/v1/auth/resend-verification', { email, password });
}
