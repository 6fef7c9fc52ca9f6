import { post } from './api';
import { signIn, type Session } from './session.svelte';
import { tokenFromFragment } from './invitation';

// A verification link is /dashboard/verify-email#token=…: like an invitation's, the token rides in
// the fragment, which browsers never send to a server or in a Referer. The page takes it out of the
// address bar at once and keeps it in this tab's sessionStorage until it is spent.

export const VERIFY_PATH = '/dashboard/verify-email';
const KEY = 'wrenn.verification';

/** What sign-up and resend answer where the operator set up mail: the same for every address. */
export interface VerificationSent { status: 'verification_sent'; message: string }

export function isVerificationSent(answer: unknown): answer is VerificationSent {
  return typeof answer === 'object' && answer !== null && (answer as { status?: unknown }).status === 'verification_sent';
}

/** On the verify page, moves the fragment's token into this tab and drops the fragment from the address bar. */
export function captureVerification(): void {
  if (location.pathname !== VERIFY_PATH) return;
  const token = tokenFromFragment(location.hash);
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
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
