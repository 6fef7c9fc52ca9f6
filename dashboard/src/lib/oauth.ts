import { get } from './api';
import { signIn, type Session } from './session.svelte';

/**
 * Finishes an OAuth login where the provider sent the browser back (`search` is that page's query):
 * its `code` and `state` go to the API's callback, whose session is kept as a password login's is.
 * Throws what went wrong: the provider's refusal, a missing code, or the API's answer.
 */
export async function finishOAuth(provider: string, search: string): Promise<Session> {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const state = params.get('state');
  if (params.get('error') || !code || !state) {
    throw new Error(params.get('error_description') || 'The provider did not authorize the login.');
  }
  const session = await get<Session>(
    `/v1/auth/oauth/${encodeURIComponent(provider)}/callback?${new URLSearchParams({ code, state })}`);
  signIn(session);
  return session;
}
