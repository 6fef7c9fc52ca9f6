import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VERIFY_PATH, captureVerification, isVerificationSent, pendingVerification, resendVerification, verifyEmail } from './verify';
import { auth, signOut } from './session.svelte';

const session = {
  token: 'tok-verified', token_type: 'Bearer', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  user: { id: 'usr-1', email: 'ada@example.com', name: 'Ada', is_admin: false, email_verified: true, created_at: '2026-01-01T00:00:00Z' },
  team: { id: 'team-1', name: 'Personal', role: 'owner' },
};
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

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

describe('email verification', () => {
  it('tells the check-your-email answer from a session', () => {
    expect(isVerificationSent({ status: 'verification_sent', message: 'check your email' })).toBe(true);
    expect(isVerificationSent(session)).toBe(false);
    expect(isVerificationSent(null)).toBe(false);
    expect(isVerificationSent('verification_sent')).toBe(false);
  });

  it('moves the token from the address bar into this tab, only on the verify page', () => {
    history.replaceState(null, '', '/dashboard/login#token=abc');
    captureVerification();
    expect(pendingVerification()).toBeNull();
    history.replaceState(null, '', `${VERIFY_PATH}#token=abc_DEF-123`);
    captureVerification();
    expect(pendingVerification()).toBe('abc_DEF-123');
    expect(location.hash).toBe('');
    expect(location.pathname).toBe(VERIFY_PATH);
  });

  it('spends the token in the body and signs the person in', async () => {
    history.replaceState(null, '', `${VERIFY_PATH}#token=tok123`);
    captureVerification();
    fetchMock.mockResolvedValueOnce(json(session));
    await verifyEmail(pendingVerification()!);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/v1/auth/verify-email');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ token: 'tok123' });
    expect(auth.session?.token).toBe('tok-verified');
    expect(pendingVerification()).toBeNull();
  });

  it('forgets a refused token and reports the refusal', async () => {
    sessionStorage.setItem('wrenn.verification', 'used');
    fetchMock.mockResolvedValueOnce(json({ code: 'verification_not_found', message: 'no such verification link' }, 404));
    await expect(verifyEmail('used')).rejects.toMatchObject({ status: 404, code: 'verification_not_found' });
    expect(auth.session).toBeNull();
    expect(pendingVerification()).toBeNull();
  });

  it('asks for a new link with the email and password', async () => {
    fetchMock.mockResolvedValueOnce(json({ status: 'verification_sent', message: 'check your email' }, 202));
    const answer = await resendVerification('ada@example.com', 'correct-horse-battery');
    expect(isVerificationSent(answer)).toBe(true);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/v1/auth/resend-verification');
    expect(JSON.parse(init.body)).toEqual({ email: 'ada@example.com', password: 'correct-horse-battery' });
  });
});
