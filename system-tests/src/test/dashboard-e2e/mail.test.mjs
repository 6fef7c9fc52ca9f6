// The dashboard's pages about addresses on a Wrenn that sends mail, in Debian's Chromium (started by
// system-tests DashboardMailTest, which passes WRENN_URL, the admin's credentials, SCREENSHOTS and
// MAILDIR, where its SMTP server writes each message it accepts). No sandbox is made.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { BASE, api, check, launch, newPage as pageIn, step } from './harness.mjs';

const ADMIN = { email: process.env.WRENN_ADMIN_EMAIL, password: process.env.WRENN_ADMIN_PASSWORD };
const MAILDIR = process.env.MAILDIR;
const run = Date.now().toString(36);
const ada = { name: 'Ada Mailed', email: `ada-${run}@example.com`, password: `ada-pass-${run}-xyz` };
const bo = { name: 'Bo Waiting', email: `bo-${run}@example.com`, password: `bo-pass-${run}-xyz` };

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const newPage = () => pageIn(browser);

/** One message from the Maildir: its headers (lower-case names) and its body, decoded if quoted-printable. */
function parse(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = {};
  for (const line of text.slice(0, split).replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 2);
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    body = body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  return { headers, body };
}

/** The messages to `address` so far, oldest first. */
function mailsTo(address) {
  let files;
  try {
    files = readdirSync(`${MAILDIR}/new`).map((f) => `${MAILDIR}/new/${f}`);
  } catch {
    return [];
  }
  return files.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((f) => parse(readFileSync(f, 'utf8')))
    .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));
}

/** Waits until `n` messages reached `address`; their subjects and the verify link of each. */
async function mailedTo(address, n) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const mails = mailsTo(address);
    if (mails.length >= n) {
      return {
        subjects: mails.map((m) => m.headers.subject),
        links: mails.map((m) => m.body.match(/https?:\/\/\S+\/dashboard\/verify-email#token=[A-Za-z0-9_-]+/)?.[0]),
      };
    }
    assert.ok(Date.now() < deadline, `no mail number ${n} to ${address} within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function logIn(p, who) {
  await p.goto(`${BASE}/dashboard/login`);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Log in' }).click();
}

const notice = (p) => p.getByRole('region', { name: 'Address verification' });

step('the API says that this Wrenn sends mail', async () => {
  const providers = await api('GET', '/v1/auth/providers');
  assert.deepEqual(providers, { status: 200, body: { providers: [], sends_mail: true } });
});

step('a sign-up says to check the email; the mailed link confirms the address and signs in', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/dashboard/signup`);
  await page.getByLabel('Name').fill(ada.name);
  await page.getByLabel('Email').fill(ada.email);
  await page.getByLabel('Password').fill(ada.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await page.getByRole('status').filter({ hasText: ada.email }).waitFor();
  await check(page, 'm01-signup-check-email');

  const mailed = await mailedTo(ada.email, 1);
  assert.deepEqual(mailed.subjects, ['Confirm your Wrenn sign-up']);
  assert.ok(mailed.links[0]?.startsWith(`${BASE}/dashboard/verify-email#token=`), mailed.links[0]);
  await page.goto(mailed.links[0]);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
  assert.equal(await notice(page).count(), 0, 'a verified address is not offered a link');
  await check(page, 'm02-verified-signed-in');

  // The link worked once: opened again, in another browser, it says so.
  const again = await newPage();
  await again.goto(mailed.links[0]);
  await again.getByRole('heading', { name: 'The address was not confirmed' }).waitFor();
  await again.getByRole('alert').waitFor();
  await check(again, 'm03-verify-link-used');
});

step('a waiting sign-up’s log-in says to confirm the address and sends a new link', async () => {
  assert.equal((await api('POST', '/v1/auth/signup', bo)).status, 202);
  const page = await newPage();
  await logIn(page, bo);
  await page.getByRole('alert').filter({ hasText: 'Confirm your address first.' }).waitFor();
  await page.getByTestId('login-unverified').waitFor();
  await check(page, 'm04-login-unverified');
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await page.getByRole('status').filter({ hasText: `A new link is on its way to ${bo.email}` }).waitFor();
  await check(page, 'm05-login-new-link-sent');
  const mailed = await mailedTo(bo.email, 2);
  assert.ok(mailed.links[1], 'the new link');
  await page.goto(mailed.links[1]);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
});

step('an account whose address is not verified is offered a link, and may put the notice away for the tab', async () => {
  // The bootstrap admin's address was never proved: the notice shows on every page until put away.
  const page = await newPage();
  await logIn(page, ADMIN);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await notice(page).getByText(`Your address ${ADMIN.email} is not verified.`).waitFor();
  await check(page, 'm06-verify-notice');
  await page.setViewportSize({ width: 420, height: 800 });
  await page.waitForFunction(() => window.innerWidth === 420);
  await check(page, 'm06-verify-notice-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByRole('region', { name: 'Members table' }).waitFor();
  await notice(page).waitFor();
  await notice(page).getByRole('button', { name: 'Dismiss' }).click();
  await notice(page).waitFor({ state: 'detached' });
  await page.reload();
  await page.getByRole('region', { name: 'Members table' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await notice(page).count(), 0, 'put away for this tab, also after a reload');
});

step('the notice sends a link by keyboard; following it verifies the address; a stale tab shows the refusal', async () => {
  const stale = await newPage();
  await logIn(stale, ADMIN);
  await notice(stale).waitFor();

  const page = await newPage();
  await logIn(page, ADMIN);
  const send = notice(page).getByRole('button', { name: 'Verify your address' });
  await send.focus();
  await page.keyboard.press('Enter');
  await notice(page).getByRole('status').filter({ hasText: `Check your email: a link to verify ${ADMIN.email} is on its way` }).waitFor();
  await check(page, 'm07-verify-notice-sent');

  const mailed = await mailedTo(ADMIN.email, 1);
  assert.deepEqual(mailed.subjects, ['Verify your address for Wrenn']);
  await page.goto(mailed.links[0]);
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await notice(page).count(), 0, 'verified: no more notice');
  const login = await api('POST', '/v1/auth/login', ADMIN);
  assert.equal(login.body.user.email_verified, true);

  // The tab opened before still shows its notice; asking again is refused (409), and the page
  // says the address is verified already instead of offering the link again.
  await notice(stale).getByRole('button', { name: 'Verify your address' }).click();
  await notice(stale).getByRole('status').filter({ hasText: `Your address ${ADMIN.email} is verified.` }).waitFor();
  assert.equal(await notice(stale).getByRole('button', { name: 'Verify your address' }).count(), 0);
  await check(stale, 'm08-verify-notice-already-verified');
});

step('the audit log fits a 1280-pixel window, and a narrow one', async () => {
  // Entries with long routes and ids: an invitation made and revoked, an API key.
  const token = (await api('POST', '/v1/auth/login', ADMIN)).body.token;
  const me = await api('GET', '/v1/me', null, token);
  const team = me.body.team.id;
  const invited = await api('POST', `/v1/teams/${team}/invitations`, { email: `audit-${run}@example.com`, role: 'member' }, token);
  assert.equal(invited.status, 201);
  assert.equal((await api('DELETE', `/v1/teams/${team}/invitations/${invited.body.id}`, null, token)).status, 204);
  assert.equal((await api('POST', '/v1/api-keys', { name: 'audit width' }, token)).status, 201);

  const page = await newPage();
  await logIn(page, ADMIN);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.getByRole('region', { name: 'Audit log table' }).getByText('invitations/').first().waitFor();
  const overflow = () => page.evaluate(() => {
    const wrap = document.querySelector('.table-wrap');
    return { table: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth };
  });
  assert.deepEqual(await overflow(), { table: 0, page: 0 }, 'nothing scrolls sideways at 1280×800');
  await check(page, 'm09-audit-1280');

  await page.setViewportSize({ width: 420, height: 800 });
  await page.waitForFunction(() => window.innerWidth === 420);
  assert.equal((await overflow()).page, 0, 'the page itself does not scroll sideways in a narrow window');
  await check(page, 'm10-audit-narrow');
});
