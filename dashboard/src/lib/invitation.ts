import { post } from './api';
import { captureFragmentToken } from './fragmentToken';
import { signIn, type Role, type Session } from './session.svelte';

// An invitation's link is /dashboard/invitations/accept#token=… (see fragmentToken.ts).

export const ACCEPT_PATH = '/dashboard/invitations/accept';
const KEY = 'wrenn.invitation';

export interface InvitationPreview { team_name: string; role: Role; email: string; expires_at: string }
export interface Accepted { team_id: string; team_name: string; role: Role }

/** On the accept page, moves the fragment's token into this tab and drops it from the address bar. */
export function captureInvitation(): void {
  captureFragmentToken(ACCEPT_PATH, KEY);
}

export function pendingInvitation(): string | null {
  return sessionStorage.getItem(KEY);
}

export function forgetInvitation(): void {
  sessionStorage.removeItem(KEY);
}

/** Where a person goes once signed in: back to the invitation they came with, else their sandboxes. */
export function afterSignIn(): string {
  return pendingInvitation() ? ACCEPT_PATH : '/dashboard/capsules/list';
}

export function previewInvitation(token: string): Promise<InvitationPreview> {
  return post<InvitationPreview>('/v1/invitations/preview', { token });
}

/** Accepts, then switches the session to the team joined; the invitation is forgotten. */
export async function acceptInvitation(token: string): Promise<Accepted> {
  const accepted = await post<Accepted>('/v1/invitations/accept', { token });
  forgetInvitation();
  signIn(await post<Session>('/v1/auth/switch-team', { team_id: accepted.team_id }));
  return accepted;
}
