// The signed-in person's session: the token from /v1/auth/login, /signup or /switch-team, kept
// in localStorage so a reload keeps the person signed in. `expired` is set when the server
// refuses the token (or its time ran out) so the app can say so instead of failing quietly.

export type Role = 'owner' | 'admin' | 'member';
export interface User { id: string; email: string; name: string; is_admin: boolean; email_verified?: boolean; created_at: string }
export interface TeamRef { id: string; name: string; role: Role }
export interface Session { token: string; expires_at: string; user: User; team: TeamRef | null }

const KEY = 'wrenn.session';

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session && typeof session.token === 'string' ? session : null;
  } catch {
    return null;
  }
}

export const auth = $state<{ session: Session | null; expired: boolean }>({ session: load(), expired: false });

// A token loaded from storage whose time is over is an expired session, not a signed-out one.
if (auth.session && Date.parse(auth.session.expires_at) <= Date.now()) {
  auth.expired = true;
}

export function signIn(session: Session): void {
  auth.session = session;
  auth.expired = false;
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function signOut(): void {
  auth.session = null;
  auth.expired = false;
  localStorage.removeItem(KEY);
}

export function expire(): void {
  if (auth.session) auth.expired = true;
}

/** Owners and admins manage members, keys and the audit log; members use sandboxes only. */
export function canManageTeam(): boolean {
  const role = auth.session?.team?.role;
  return role === 'owner' || role === 'admin';
}
