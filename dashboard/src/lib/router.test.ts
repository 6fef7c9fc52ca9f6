import { beforeEach, describe, expect, it } from 'vitest';
import { navigate, query, route, setQuery } from './router.svelte';

beforeEach(() => navigate('/dashboard/capsules/list', true));

describe('navigate', () => {
  it('moves to a page and records it in the history', () => {
    const before = history.length;
    navigate('/dashboard/keys');
    expect(route.path).toBe('/dashboard/keys');
    expect(location.pathname).toBe('/dashboard/keys');
    expect(history.length).toBe(before + 1);
  });

  it('replaces the entry when asked, and does nothing for the page it is on', () => {
    const before = history.length;
    navigate('/dashboard/team', true);
    navigate('/dashboard/team');
    expect(route.path).toBe('/dashboard/team');
    expect(history.length).toBe(before);
  });

  it('follows the back button', () => {
    navigate('/dashboard/audit');
    history.replaceState(null, '', '/dashboard/templates');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(route.path).toBe('/dashboard/templates');
  });
});

describe('query', () => {
  it('reads and replaces one parameter, keeping the others', () => {
    navigate('/dashboard/capsules/sb-1?tab=files&x=1');
    expect(query('tab')).toBe('files');
    const before = history.length;
    setQuery('tab', 'events');
    expect(query('tab')).toBe('events');
    expect(query('x')).toBe('1');
    expect(route.path).toBe('/dashboard/capsules/sb-1');
    expect(history.length).toBe(before);
    expect(query('missing')).toBeNull();
  });
});

describe('links', () => {
  /** Whether the router took the click; the page's own navigation is stopped after it looked. */
  function click(href: string, init: MouseEventInit = {}, attrs: Record<string, string> = {}) {
    const a = document.createElement('a');
    a.href = href;
    for (const [k, v] of Object.entries(attrs)) a.setAttribute(k, v);
    document.body.append(a);
    let routed = false;
    const after = (e: Event) => { routed = e.defaultPrevented; e.preventDefault(); };
    window.addEventListener('click', after);
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ...init }));
    window.removeEventListener('click', after);
    a.remove();
    return routed;
  }

  it('routes a dashboard link in the page', () => {
    expect(click('/dashboard/audit')).toBe(true);
    expect(route.path).toBe('/dashboard/audit');
  });

  it('leaves other links to the browser', () => {
    expect(click('/v1/auth/oauth/github/authorize')).toBe(false);
    expect(click('https://example.com/dashboard/x')).toBe(false);
    expect(click('/dashboard/keys', { ctrlKey: true })).toBe(false);
    expect(click('/dashboard/keys', {}, { target: '_blank' })).toBe(false);
    expect(click('/dashboard/keys', {}, { download: '' })).toBe(false);
    expect(route.path).toBe('/dashboard/capsules/list');
  });
});
