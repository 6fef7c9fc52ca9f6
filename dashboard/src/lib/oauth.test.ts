import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { finishOAuth } from './oauth';
import { auth, signOut } from './session.svelte';

const session = {
  token: 'tok-oauth', token_type: 'Bearer', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  user: { id: 'usr-9', email: 'octo@example.com', name: 'Octo', is_admin: false, created_at: '2026-01-01T00:00:00Z' },
  team: { id: 'team-9', name: 'Personal', role: 'owner' },
};

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
  signOut();
});

describe('finishOAuth', () => {
  it("passes the code and state to the API's callback and keeps its session", async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify(session), { headers: { 'Content-Type': 'application/json' } }));
    await finishOAuth('github', '?code=abc%2B1&state=xyz');
    expect(fetchMock.mock.calls[0][0]).toBe('/v1/auth/oauth/github/callback?code=abc%2B1&state=xyz');
    expect(auth.session?.token).toBe('tok-oauth');
    expect(JSON.parse(localStorage.getItem('wrenn.session')!).user.email).toBe('octo@example.com');
  });

  it("says the provider's refusal without calling the API", async () => {
    await expect(finishOAuth('github', '?error=access_denied&error_description=The+user+said+no'))
      .rejects.toThrow('The user said no');
    await expect(finishOAuth('github', '?state=xyz')).rejects.toThrow('did not authorize');
    expect(fetchMock).not.toHaveBeenCalled();
    expect(auth.session).toBeNull();
  });

  it("fails with the API's refusal, signed out", async () => {
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ code: 'invalid_request', message: 'unknown, used or expired state' }),
      { status: 400, headers: { 'Content-Type': 'application/json' } }));
    await expect(finishOAuth('github', '?code=a&state=b')).rejects.toThrow('unknown, used or expired state');
    expect(auth.session).toBeNull();
  });
});
