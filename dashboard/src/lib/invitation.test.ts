import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCEPT_PATH, acceptInvitation, afterSignIn, captureInvitation, pendingInvitation } from './invitation';
import { tokenFromFragment } from './fragmentToken';
import { auth, signIn, signOut } from './session.svelte';

const session = (team: string) => ({
  token: 'tok-' + team, token_type: 'Bearer', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  user: { id: 'usr-1', email: 'grace@example.com', name: 'Grace', is_admin: false, created_at: '2026-01-01T00:00:00Z' },
  team: { id: team, name: team === 'team-2' ? 'Research' : 'Personal', role: team === 'team-2' ? 'admin' : 'owner' },
});
const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
  sessionStorage.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
  signOut();
  history.replaceState(null, '', '/');
});

describe('invitations', () => {
  it('reads the token from the fragment only', () => {
    expect(tokenFromFragment('#token=wrninv_abc')).toBe('wrninv_abc');
    expect(tokenFromFragment('token=wrninv_abc&x=1')).toBe('wrninv_abc');
    expect(tokenFromFragment('#other=1')).toBeNull();
    expect(tokenFromFragment('')).toBeNull();
  });

  it('moves the token from the address bar into this tab, and brings a sign-in back to it', () => {
    history.replaceState(null, '', `${ACCEPT_PATH}#token=wrninv_abc`);
    expect(afterSignIn()).toBe('/dashboard/capsules/list');
    captureInvitation();
    expect(pendingInvitation()).toBe('wrninv_abc');
    expect(location.hash).toBe('');
    expect(location.pathname).toBe(ACCEPT_PATH);
    expect(afterSignIn()).toBe(ACCEPT_PATH);
  });

  it('leaves other pages alone', () => {
    history.replaceState(null, '', '/dashboard/team#token=wrninv_abc');
    captureInvitation();
    expect(pendingInvitation()).toBeNull();
  });

  it('accepts, forgets the token and switches to the team joined', async () => {
    signIn(session('team-1') as never);
    sessionStorage.setItem('wrenn.invitation', 'wrninv_abc');
    fetchMock.mockResolvedValueOnce(json({ team_id: 'team-2', team_name: 'Research', role: 'admin' }))
      .mockResolvedValueOnce(json(session('team-2')));
    const accepted = await acceptInvitation('wrninv_abc');
    expect(accepted.team_name).toBe('Research');
    expect(fetchMock.mock.calls[0][0]).toBe('/v1/invitations/accept');
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ token: 'wrninv_abc' });
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ team_id: 'team-2' });
    expect(auth.session?.team?.id).toBe('team-2');
    expect(pendingInvitation()).toBeNull();
  });
});
