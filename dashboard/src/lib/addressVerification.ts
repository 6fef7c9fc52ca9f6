import { get, post } from './api';
import type { User } from './session.svelte';
import type { VerificationSent } from './verify';

// A signed-in person whose address was never verified (an account made before the operator set
// up mail, by an invitation, the bootstrap admin) is offered a link to it, on a Wrenn that sends
// mail. Until the address is verified, no OAuth login is linked to the account.

const DISMISSED = 'wrenn.verify-notice-dismissed';

/** Whether this Wrenn mails links (`sends_mail` of GET /v1/auth/providers); false when it cannot be told. */
export async function sendsMail(): Promise<boolean> {
  try {
    const answer = await get<{ sends_mail?: unknown }>('/v1/auth/providers');
    return answer.sends_mail === true;
  } catch {
    return false;
  }
}

/** The notice was put away for this person in this tab: it stays away until the tab closes. */
export function isDismissed(userId: string): boolean {
  return sessionStorage.getItem(DISMISSED) === userId;
}

export function dismiss(userId: string): void {
  sessionStorage.setItem(DISMISSED, userId);
}

/** Offer verification only for an address known to be unverified, where mail goes out, unless put away. */
export function offersVerification(user: Pick<User, 'id' | 'email_verified'> | null | undefined, mail: boolean): boolean {
  return !!user && user.email_verified === false && mail && !isDismissed(user.id);
}

/** Asks for a link to the signed-in person's own address; throws the server's refusal (ApiError). */
export function requestVerification(): Promise<VerificationSent> {
  return post<VerificationSent>('/v1/me/email-verification', {});
}
