import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from './session.svelte';

const session = (hours: number, role: 'owner' | 'admin' | 'member' | null = 'owner'): Session => ({
  token: 't', expires_at: new Date(Date.now() + hours * 3_600_000).toISOString(),
  user: { id: 'usr-1', email: 'ada@example.com', name: 'Ada', is_admin: false, created_at: '2026-01-01T00:00:00Z' },
  team: role ? { id: 'team-1', name: 'Personal', role } : null,
});

// Each test loads the module afresh: it reads localStorage when loaded.
async function load() {
  vi.resetModules();
  return import('./session.svelte');
}

beforeEach(() => localStorage.clear());

describe('session', () => {
  it('starts signed out with nothing stored', async () => {
    const { auth } = await load();
    expect(auth.session).toBeNull();
    expect(auth.expired).toBe(false);
  });

  it('keeps a sign-in across a reload, and a sign-out removes it', async () => {
    let m = await load();
    m.signIn(session(1));
    expect(JSON.parse(localStorage.getItem('wrenn.session')!).token).toBe('t');
    m = await load();
    expect(m.auth.session?.user.email).toBe('ada@example.com');
    expect(m.auth.expired).toBe(false);
    m.signOut();
    expect(m.auth.session).toBeNull();
    expect(localStorage.getItem('wrenn.session')).toBeNull();
  });

  it('loads a stored session whose time is over as expired', async () => {
    localStorage.setItem('wrenn.session', JSON.stringify(session(-1)));
    const { auth } = await load();
    expect(auth.session).not.toBeNull();
    expect(auth.expired).toBe(true);
  });

  it('ignores what is not a session', async () => {
    localStorage.setItem('wrenn.session', '{not json');
    expect((await load()).auth.session).toBeNull();
    localStorage.setItem('wrenn.session', '{"token":42}');
    expect((await load()).auth.session).toBeNull();
  });

  it('expires only a session there is, and a new sign-in clears it', async () => {
    const m = await load();
    m.expire();
    expect(m.auth.expired).toBe(false);
    m.signIn(session(1));
    m.expire();
    expect(m.auth.expired).toBe(true);
    m.signIn(session(1));
    expect(m.auth.expired).toBe(false);
  });

  it('lets owners and admins manage the team, not members', async () => {
    const m = await load();
    for (const [role, can] of [['owner', true], ['admin', true], ['member', false], [null, false]] as const) {
      m.signIn(session(1, role));
      expect(m.canManageTeam()).toBe(can);
    }
  });
});
