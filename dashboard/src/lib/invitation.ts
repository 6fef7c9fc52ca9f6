import { post } from './api';
import { signIn, type Role, type Session } from './session.svelte';

// An invitation's link is /dashboard/invitations/accept#token=…: the token rides in the fragment,
// which browsers never send to a server or in a Referer. The page takes it out of the address bar
// at once and keeps it in sessionStorage (this tab only), so it survives a detour through the log-in
// or sign-up page and is gone when the tab closes.

export const ACCEPT_PATH = '/dashboard/invitations/accept';
const KEY = 'wrenn.invitation';

export interface InvitationPreview { team_name: string; role: Role; email: string; expires_at: string }
export interface Accepted { team_id: string; team_name: string; role: Role }

/** The token in a fragment such as `#token=wrninv_…`, if there is one. */
export function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token.trim() || null : null;
}

/**
 * On the accept page, moves the fragment's token into sessionStorage and drops the fragment from
 * the address bar and the history entry.
 */
export function captureInvitation(): void {
  if (location.pathname !== ACCEPT_PATH) return;
  const token = tokenFromFragment(location.hash);
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
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
