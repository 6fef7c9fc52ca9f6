// A small history router: the dashboard's pages live under /dashboard/…, and the server answers
// index.html for all of them, so a reload or a shared link opens the same page.

export const route = $state({ path: location.pathname, search: location.search });

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  sync();
}

function sync(): void {
  route.path = location.pathname;
  route.search = location.search;
}

window.addEventListener('popstate', sync);

/** Same-origin links to dashboard pages route in the page instead of reloading it. */
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const link = (e.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/dashboard')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

export function query(name: string): string | null {
  return new URLSearchParams(route.search).get(name);
}

/** Replaces one query parameter (e.g. the stats range) without a new history entry. */
export function setQuery(name: string, value: string): void {
  const params = new URLSearchParams(route.search);
  params.set(name, value);
  navigate(`${route.path}?${params}`, true);
}
