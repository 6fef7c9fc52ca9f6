// A link that carries a secret (an invitation's, an address verification's) holds it in the URL's
// fragment, `#token=…`, which browsers never send to a server or in a Referer. The page it opens
// takes the token out of the address bar and the history entry at once and keeps it in this tab's
// sessionStorage until it is spent, so it survives a detour through the log-in or sign-up page.

/** The token in a fragment such as `#token=wrninv_…`, if there is one. */
export function tokenFromFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token.trim() || null : null;
}

/** On the page at `path`, moves the fragment's token into sessionStorage under `key`. */
export function captureFragmentToken(path: string, key: string): void {
  if (location.pathname !== path) return;
  const token = tokenFromFragment(location.hash);
  if (!token) return;
  sessionStorage.setItem(key, token);
  history.replaceState(history.state, '', location.pathname + location.search);
}
