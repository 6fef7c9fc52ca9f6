import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dismiss, isDismissed, offersVerification, requestVerification, sendsMail } from './addressVerification';
import { ApiError } from './api';
import { signIn, signOut } from './session.svelte';

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
});

describe('verifying a signed-in person’s address', () => {
  it('learns from the providers list whether mail goes out, and assumes not when it cannot tell', async () => {
    fetchMock.mockResolvedValueOnce(json({ providers: [], sends_mail: true }));
    expect(await sendsMail()).toBe(true);
    expect(fetchMock).toHaveBeenCalledWith('/v1/auth/providers', expect.objectContaining({ method: 'GET' }));
    fetchMock.mockResolvedValueOnce(json({ providers: [] }));
    expect(await sendsMail()).toBe(false);
    fetchMock.mockResolvedValueOnce(json({ code: 'internal', message: 'internal error' }, 500));
    expect(await sendsMail()).toBe(false);
    fetchMock.mockRejectedValueOnce(new TypeError('offline'));
    expect(await sendsMail()).toBe(false);
  });

  it('offers a link only for an address known to be unverified, where mail goes out, until put away', () => {
    const unverified = { id: 'usr-1', email_verified: false };
    expect(offersVerification(unverified, true)).toBe(true);
    expect(offersVerification(unverified, false)).toBe(false);
    expect(offersVerification({ id: 'usr-1', email_verified: true }, true)).toBe(false);
    expect(offersVerification({ id: 'usr-1' }, true)).toBe(false);
    expect(offersVerification(null, true)).toBe(false);
    dismiss('usr-1');
    expect(isDismissed('usr-1')).toBe(true);
    expect(offersVerification(unverified, true)).toBe(false);
    expect(offersVerification({ id: 'usr-2', email_verified: false }, true)).toBe(true);
  });

  it('asks for the link with the session and hands back the server’s answer or refusal', async () => {
    signIn({ token: 'tok-1', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      user: { id: 'usr-1', email: 'ada@example.com', name: 'Ada', is_admin: false, email_verified: false, created_at: '' },
      team: null });
    fetchMock.mockResolvedValueOnce(json({ status: 'verification_sent', message: 'check your email' }, 202));
    expect((await requestVerification()).status).toBe('verification_sent');
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/v1/me/email-verification');
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe('Bearer tok-1');

    fetchMock.mockResolvedValueOnce(json({ code: 'rate_limited', message: 'try again later' }, 429));
    const refused = await requestVerification().catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.code).toBe('rate_limited');
    expect(refused.message).toBe('try again later');
  });
});
