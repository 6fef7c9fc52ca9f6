import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, del, get, getAll, message, post, processSocket, streamEvents } from './api';
import { auth, signIn, signOut, type Session } from './session.svelte';

const session: Session = {
  token: 'tok-123', expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  user: { id: 'usr-1', email: 'ada@example.com', name: 'Ada', is_admin: false, created_at: '2026-01-01T00:00:00Z' },
  team: { id: 'team-1', name: 'Personal', role: 'owner' },
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
  signOut();
});

describe('api', () => {
  it('sends JSON with the session token and reads JSON back', async () => {
    signIn(session);
    fetchMock.mockResolvedValue(json({ id: 'sb-1' }, 201));
    expect(await post('/v1/sandboxes', { template: 'minimal' })).toEqual({ id: 'sb-1' });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/v1/sandboxes');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ Authorization: 'Bearer tok-123', 'Content-Type': 'application/json' });
    expect(init.body).toBe('{"template":"minimal"}');
  });

  it('sends no token and no body when there is none', async () => {
    fetchMock.mockResolvedValue(json({ ok: true }));
    await get('/v1/auth/providers');
    const [, init] = fetchMock.mock.calls[0];
    expect(init.headers).toEqual({});
    expect(init.body).toBeUndefined();
  });

  it('answers undefined for a 204 and text for a non-JSON body', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    expect(await del('/v1/api-keys/key-1')).toBeUndefined();
    fetchMock.mockResolvedValueOnce(new Response('plain words', { headers: { 'Content-Type': 'text/plain' } }));
    expect(await api('GET', '/openapi.yaml')).toBe('plain words');
  });

  it("throws the server's code and message", async () => {
    fetchMock.mockResolvedValue(json({ code: 'sandbox_not_found', message: 'no such sandbox' }, 404));
    const error = await get('/v1/sandboxes/sb-x').catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'sandbox_not_found', message: 'no such sandbox' });
    expect(message(error)).toBe('no such sandbox');
  });

  it('keeps the status line when the error body is not JSON', async () => {
    fetchMock.mockResolvedValue(new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(get('/v1/x')).rejects.toMatchObject({ status: 502, code: 'http_502', message: 'Bad Gateway' });
  });

  it('says so when Wrenn cannot be reached', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(get('/v1/x')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('marks the session expired on a 401', async () => {
    signIn(session);
    fetchMock.mockResolvedValue(json({ code: 'unauthorized', message: 'token expired' }, 401));
    await expect(get('/v1/me')).rejects.toBeInstanceOf(ApiError);
    expect(auth.expired).toBe(true);
  });
});

describe('getAll', () => {
  it('follows next_cursor to the last page', async () => {
    fetchMock.mockImplementation(async (path: string) => {
      const cursor = new URL(path, 'http://x').searchParams.get('cursor');
      if (!cursor) return json({ keys: [{ id: 1 }, { id: 2 }], next_cursor: 'c2' });
      if (cursor === 'c2') return json({ keys: [{ id: 3 }], next_cursor: 'c3' });
      return json({ keys: [{ id: 4 }], next_cursor: null });
    });
    expect(await getAll<{ id: number }>('/v1/api-keys', 'keys')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual([
      '/v1/api-keys?limit=200', '/v1/api-keys?limit=200&cursor=c2', '/v1/api-keys?limit=200&cursor=c3']);
  });

  it('appends to a path that has a query already, and reads a missing list as empty', async () => {
    fetchMock.mockResolvedValue(json({ next_cursor: null }));
    expect(await getAll('/v1/teams/team-1/members?role=owner', 'members')).toEqual([]);
    expect(fetchMock.mock.calls[0][0]).toBe('/v1/teams/team-1/members?role=owner&limit=200');
  });

  it('stops after 50 pages', async () => {
    fetchMock.mockImplementation(async () => json({ items: [0], next_cursor: 'again' }));
    expect(await getAll('/v1/x', 'items')).toHaveLength(50);
    expect(fetchMock).toHaveBeenCalledTimes(50);
  });

  it('fails with the page that failed', async () => {
    fetchMock.mockResolvedValueOnce(json({ items: [1], next_cursor: 'c2' }))
      .mockResolvedValueOnce(json({ code: 'internal', message: 'boom' }, 500));
    await expect(getAll('/v1/x', 'items')).rejects.toMatchObject({ code: 'internal' });
  });
});

describe('streamEvents', () => {
  it('parses server-sent events split across chunks', async () => {
    const chunks = ['event: log\ndata: {"line":', '"one"}\n\nda', 'ta: two\ndata: lines\n\n: comment\n\n'];
    const body = new ReadableStream({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        controller.close();
      },
    });
    fetchMock.mockResolvedValue(new Response(body, { headers: { 'Content-Type': 'text/event-stream' } }));
    const seen: [string, string][] = [];
    await streamEvents('/v1/builds/b-1/logs/stream', new AbortController().signal, (e, d) => seen.push([e, d]));
    expect(seen).toEqual([['log', '{"line":"one"}'], ['message', 'two\nlines']]);
    expect(fetchMock.mock.calls[0][1].headers).toEqual({ Accept: 'text/event-stream' });
  });
});

describe('processSocket', () => {
  it('opens the socket at the single-use path the token call answers', async () => {
    const opened: string[] = [];
    vi.stubGlobal('WebSocket', class { constructor(url: string) { opened.push(url); } });
    fetchMock.mockResolvedValue(json({ token: 'wst_1', url_path: '/v1/sandboxes/sb-1/processes/stream?token=wst_1' }, 201));
    await processSocket('sb-1');
    expect(fetchMock.mock.calls[0][0]).toBe('/v1/sandboxes/sb-1/ws-token');
    expect(opened).toEqual([`ws://${location.host}/v1/sandboxes/sb-1/processes/stream?token=wst_1`]);
  });
});
