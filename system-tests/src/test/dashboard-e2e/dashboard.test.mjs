// Drives the Wrenn dashboard in Debian's Chromium against a real Wrenn (started by
// system-tests DashboardTest, which passes WRENN_URL, the admin's credentials and SCREENSHOTS).
// One sandbox boots cold (minimal); the other is restored from its snapshot.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, SHOTS, api, check, launch, newPage as pageIn, step } from './harness.mjs';

const ADMIN_EMAIL = process.env.WRENN_ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.WRENN_ADMIN_PASSWORD;
// The first sandbox's template: minimal (a cold boot) unless a run against a long-lived Wrenn names a snapshot.
const TEMPLATE = process.env.WRENN_TEMPLATE || 'minimal';
const SLOW = 240_000; // a cold boot under TCG, or a pause/snapshot of one
const run = Date.now().toString(36);
const owner = { name: 'Ada Owner', email: `ada-${run}@example.com`, password: `owner-pass-${run}-xyz` };
const member = { name: 'Grace Member', email: `grace-${run}@example.com`, password: `member-pass-${run}-xyz` };
const snapshotName = `dash-snap-${run}`;

let browser;
let page;
let firstId;

before(async () => {
  browser = await launch();
  page = await newPage();
});

after(async () => {
  await browser?.close();
});

const newPage = () => pageIn(browser);

const row = (p, id) => p.locator(`tr[data-sandbox="${id}"]`);

/**
 * Submits the open create dialog and waits until it closes; the server's refusal shown in the
 * dialog fails the test at once. A guest that did not boot (under TCG on a loaded machine a cold
 * boot hangs now and then, and the host's watchdog gives up) is tried once more, as a person would.
 */
async function submitCreate(dialog, triesLeft = 1) {
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByRole('alert').waitFor({ state: 'detached' });
  const closed = dialog.waitFor({ state: 'hidden', timeout: SLOW }).then(() => null);
  const refused = dialog.getByRole('alert').waitFor({ timeout: SLOW }).then(() => dialog.getByRole('alert').textContent());
  const error = await Promise.race([closed, refused]);
  if (error === null) return;
  if (triesLeft > 0 && /did not boot/.test(error)) {
    console.log(`create refused (${error}); trying once more`);
    return submitCreate(dialog, triesLeft - 1);
  }
  assert.fail(`the create dialog shows: ${error}`);
}

async function logIn(p, who) {
  await p.goto(`${BASE}/dashboard/login`);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('heading', { name: 'Sandboxes' }).waitFor();
}

step('the root opens the log-in page, which leads to sign-up', async () => {
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await check(page, '01-login');
  // No OAuth provider is configured here: the API lists none and the page offers no button.
  const providers = await api('GET', '/v1/auth/providers');
  assert.deepEqual(providers, { status: 200, body: { providers: [], sends_mail: false } });
  assert.equal(await page.getByTestId('oauth-providers').count(), 0, 'no OAuth button without a provider');
  assert.equal(await page.getByRole('link', { name: /^Log in with / }).count(), 0);
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await page.getByLabel('Name').fill(owner.name);
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  assert.equal(await page.getByRole('heading', { name: 'Sandboxes' }).count(), 0, 'a too-short password is refused');
  await page.getByLabel('Password').fill(owner.password);
  await check(page, '02-signup');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await page.getByText('No active sandboxes.').waitFor();
  await check(page, '03-sandboxes-empty');
});

step('a sandbox created in the dialog shows up running, with the running count', async () => {
  await page.getByRole('button', { name: 'New sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.getByLabel('Template').fill(TEMPLATE);
  await dialog.getByLabel('Metadata (key=value per line)').fill('purpose=dashboard-test');
  await check(page, '04-create-dialog');
  await submitCreate(dialog);
  const created = page.locator('tr[data-sandbox]').first();
  await created.getByText('running').waitFor({ timeout: SLOW });
  firstId = await created.getAttribute('data-sandbox');
  await page.getByTestId('running-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 15_000 });
  await check(page, '05-sandboxes');
});

step('its detail page uploads a file and lists it', async () => {
  await row(page, firstId).getByRole('link', { name: firstId }).click();
  await page.getByRole('heading', { name: firstId }).waitFor();
  await page.getByRole('tab', { name: 'Files' }).waitFor();
  await page.locator('table.file-table, .files .empty').first().waitFor();
  await page.locator('input[type=file]').setInputFiles({ name: 'hello-dashboard.txt', mimeType: 'text/plain',
    buffer: Buffer.from('uploaded from the dashboard\n') });
  await page.locator('tr[data-file="hello-dashboard.txt"]').waitFor();
  await check(page, '06-detail-files');
  await page.getByRole('button', { name: 'hello-dashboard.txt', exact: true }).click();
  await page.getByRole('dialog', { name: 'hello-dashboard.txt' }).getByText('uploaded from the dashboard').waitFor();
  await page.keyboard.press('Escape');
});

step('its terminal runs echo hi and shows hi', async () => {
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByText('Connected').waitFor({ timeout: 60_000 });
  // Type only once the shell shows its prompt: the terminal's answers to the shell's start-up
  // queries (cursor position) must reach it before the command does.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.xterm-rows > div'))
    .some((line) => /[$#]\s*$/.test(line.textContent.replace(/\u00a0/g, ' '))), null, { timeout: 60_000 });
  await page.getByTestId('terminal').click();
  await page.keyboard.type('echo hi\n');
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.xterm-rows > div'))
    .some((line) => line.textContent.trim() === 'hi'), null, { timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/07-detail-terminal.png` });
});

step('its processes list a background process, show its output and kill it after a confirmation', async () => {
  // A tagged background process started on the process socket, as an SDK does; the socket closes
  // once it has started and the process lives on.
  const pid = await page.evaluate(async (id) => {
    const token = JSON.parse(localStorage.getItem('wrenn.session')).token;
    const response = await fetch(`/v1/sandboxes/${id}/ws-token`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    const { url_path } = await response.json();
    const ws = new WebSocket(`ws://${location.host}${url_path}`);
    return new Promise((resolve, reject) => {
      ws.onopen = () => ws.send(JSON.stringify({ type: 'start', cmd: '/bin/sh', tag: 'ticker', background: true,
        args: ['-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'] }));
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data);
        if (msg.type === 'started') { ws.close(); resolve(msg.pid); }
        if (msg.type === 'error') reject(new Error(msg.message));
      };
      ws.onerror = () => reject(new Error('the process socket failed'));
    });
  }, firstId);
  await page.getByRole('tab', { name: 'Processes' }).click();
  const ticker = page.locator(`tr[data-pid="${pid}"]`);
  await ticker.getByText('ticker').waitFor();
  await ticker.getByText('i=0; while true').waitFor();
  await check(page, '07a-detail-processes');

  await page.getByRole('button', { name: `Output of process ${pid}` }).click();
  const output = page.getByRole('dialog', { name: `Output of process ${pid}` });
  await output.getByText('Attached').waitFor();
  await page.waitForFunction(() => /tick [1-9]/.test(document.querySelector('[data-testid=process-output]')?.textContent ?? ''));
  await check(page, '07b-process-output');
  await page.keyboard.press('Escape');
  await output.waitFor({ state: 'hidden' });
  await ticker.waitFor({ timeout: 5_000 }); // closing the view detached; the process runs on

  await page.getByRole('button', { name: `Kill process ${pid}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Kill process' });
  await confirm.getByText(`pid ${pid}`).waitFor();
  await confirm.getByRole('button', { name: 'Kill' }).click();
  await ticker.waitFor({ state: 'detached', timeout: 30_000 });
});

step('its events say what happened to it, its console what the guest printed', async () => {
  await page.getByRole('tab', { name: 'Events' }).click();
  await page.locator('tr[data-event="created"]').waitFor();
  await page.locator('tr[data-event="running"]').waitFor();
  // The kill just made is there, newest first, with its outcome.
  const kill = page.locator('tr[data-event="POST /v1/sandboxes/{id}/processes/{pid}/signal"]').first();
  await kill.getByText('success (204)').waitFor();
  await kill.getByText('you').waitFor();
  await check(page, '07c-detail-events');

  await page.getByRole('tab', { name: 'Console' }).click();
  await page.waitForFunction(() => (document.querySelector('[data-testid=console]')?.textContent ?? '').length > 0);
  await check(page, '07d-detail-console');
});

step('pause and resume from the detail page, then a snapshot of it', async () => {
  await page.getByRole('button', { name: `Pause ${firstId}` }).click();
  await page.getByRole('dialog', { name: 'Pause sandbox' }).getByRole('button', { name: 'Pause' }).click();
  await page.locator('.page-head .status', { hasText: 'paused' }).waitFor({ timeout: SLOW });
  await page.getByRole('tab', { name: 'Files' }).click();
  await page.getByText('Resume it to browse its files').waitFor();
  await check(page, '08-detail-paused');
  await page.getByRole('tab', { name: 'Events' }).click();
  await page.locator('tr[data-event="paused"]').first().waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: `Resume ${firstId}` }).click();
  await page.getByRole('dialog', { name: 'Resume sandbox' }).getByRole('button', { name: 'Resume' }).click();
  await page.locator('.page-head .status', { hasText: 'running' }).waitFor({ timeout: SLOW });

  await page.getByRole('button', { name: `Snapshot ${firstId}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Snapshot sandbox' });
  await dialog.getByLabel('Template name').fill(snapshotName);
  await dialog.getByRole('button', { name: 'Create snapshot' }).click();
  await page.getByText(`Snapshot ${snapshotName} created`).waitFor({ timeout: SLOW });
});

step('a sandbox created from the snapshot runs; both are deleted after a confirmation', async () => {
  await page.getByRole('link', { name: 'Sandboxes' }).first().click();
  await page.getByRole('button', { name: 'New sandbox' }).click();
  const dialog = page.getByRole('dialog', { name: 'New sandbox' });
  await dialog.getByLabel('Template').fill(snapshotName);
  await dialog.getByText('A snapshot fixes its own vCPUs and memory.').waitFor();
  await submitCreate(dialog, 0);
  const restored = page.locator('tr[data-sandbox]', { hasText: snapshotName });
  await restored.getByText('running').waitFor({ timeout: SLOW });
  await page.getByTestId('running-count').filter({ hasText: /^2$/ }).waitFor({ timeout: 15_000 });
  const restoredId = await restored.getAttribute('data-sandbox');

  for (const id of [restoredId, firstId]) {
    await row(page, id).getByRole('button', { name: `Delete ${id}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete sandbox' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row(page, id).waitFor({ state: 'detached', timeout: SLOW });
  }
  await page.getByText('No active sandboxes.').waitFor();
  await page.getByTestId('running-count').filter({ hasText: /^0$/ }).waitFor({ timeout: 15_000 });
});

step('stats, templates, API keys and the audit log', async () => {
  await page.getByRole('link', { name: 'Stats' }).click();
  await page.getByText('vCPUs reserved').waitFor();
  await page.getByRole('button', { name: '5m' }).click();
  assert.match(page.url(), /range=5m/);
  await page.locator('canvas').first().waitFor();
  await check(page, '09-stats');

  await page.getByRole('link', { name: 'Templates' }).click();
  await page.locator(`tr[data-template="${snapshotName}"]`).waitFor();
  await check(page, '10-templates');

  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Key name').fill('ci');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.getByTestId('new-key').textContent();
  // New keys are written as E2B SDKs check them (e2b_ and 48 hex), for both APIs.
  assert.match(key, /^e2b_[0-9a-f]{48}$/);
  await page.getByRole('cell', { name: 'ci', exact: true }).waitFor();
  await check(page, '11-api-keys');
  await page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.getByTestId('new-key').count(), 0, 'the key is shown only once');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('cell', { name: 'POST /v1/sandboxes', exact: true }).first().waitFor();
  await check(page, '12-audit');
});

step('the owner invites a person from the Team page; they open the link, log in and accept', async () => {
  const signup = await api('POST', '/v1/auth/signup', member);
  assert.equal(signup.status, 201, JSON.stringify(signup.body));

  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByRole('button', { name: 'Invite' }).waitFor();
  await page.getByLabel('Email').fill(member.email);
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByTestId('invitation-link').textContent();
  // The token rides in the fragment, which the browser never sends to a server.
  assert.match(link, /^https?:\/\/[^/]+\/dashboard\/invitations\/accept#token=wrninv_[0-9a-f]{48}$/);
  const pendingRow = page.getByRole('region', { name: 'Pending invitations table' }).getByRole('row').filter({ hasText: member.email });
  await pendingRow.waitFor();
  assert.equal(await page.getByRole('region', { name: 'Members table' }).getByRole('cell', { name: member.email, exact: true }).count(), 0,
    'an invited person is not a member until they accept');
  await check(page, '13-team-owner-invited');
  await page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.getByTestId('invitation-link').count(), 0, 'the link is shown only once');
  assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no admin entry for a non-admin');

  const other = await newPage();
  await other.goto(link);
  const joinHeading = other.getByRole('heading', { name: /^Join .+ as member\?$/ });
  await joinHeading.waitFor();
  assert.equal(new URL(other.url()).hash, '', 'the token leaves the address bar');
  await check(other, '13b-invitation-signed-out');
  await other.getByRole('link', { name: 'Log in' }).click();
  await other.getByLabel('Email').fill(member.email);
  await other.getByLabel('Password').fill(member.password);
  await other.getByRole('button', { name: 'Log in' }).click();
  // Back on the invitation after logging in: the token was kept in the tab.
  await joinHeading.waitFor();
  await check(other, '13c-invitation-accept');
  await other.getByRole('button', { name: 'Accept invitation' }).click();
  // Accepting switches the session to the team joined (away from the member's own).
  await other.waitForFunction((id) => JSON.parse(localStorage.getItem('wrenn.session'))?.team?.id !== id, signup.body.team.id);
  await other.getByTestId('my-role').filter({ hasText: 'member' }).waitFor();
  assert.equal(await other.evaluate(() => sessionStorage.getItem('wrenn.invitation')), null, 'the token is forgotten once used');
  await page.reload();
  await page.getByRole('region', { name: 'Members table' }).getByRole('cell', { name: member.email, exact: true }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Pending invitations table' }).count(), 0, 'nothing is pending any more');
  await check(page, '13d-team-owner');
  await other.context().close();
});

step('a member without the owner role sees no owner actions, and the admin pages refuse them', async () => {
  const other = await newPage();
  await logIn(other, member);
  const me = (await api('POST', '/v1/auth/login', { email: member.email, password: member.password })).body;
  const ownersTeam = (await api('GET', '/v1/me', null, me.token)).body.teams.find((t) => t.role === 'member');
  await other.getByLabel('Team').selectOption(ownersTeam.id);
  // The switch ends by opening the sandboxes list: wait until it has, or a click on Team made
  // before it would be taken back to that list.
  await other.waitForFunction((id) => JSON.parse(localStorage.getItem('wrenn.session'))?.team?.id === id, ownersTeam.id);
  await other.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  await other.getByRole('link', { name: 'Team' }).click();
  await other.getByTestId('my-role').filter({ hasText: 'member' }).waitFor();
  await other.getByRole('cell', { name: owner.email, exact: true }).waitFor();
  assert.equal(await other.getByRole('button', { name: 'Invite' }).count(), 0);
  assert.equal(await other.getByRole('region', { name: 'Pending invitations table' }).count(), 0);
  assert.equal(await other.getByRole('button', { name: /^Remove / }).count(), 0);
  assert.equal(await other.getByRole('button', { name: 'Rename' }).count(), 0);
  assert.equal(await other.getByRole('link', { name: 'API keys' }).count(), 0);
  assert.equal(await other.getByRole('link', { name: 'Audit log' }).count(), 0);
  await check(other, '14-team-member');

  await other.goto(`${BASE}/dashboard/admin`);
  await other.getByText('Platform admins only.').waitFor();
  await check(other, '15-admin-refused');
  const token = await other.evaluate(() => JSON.parse(localStorage.getItem('wrenn.session')).token);
  const refused = await api('GET', '/v1/admin/users', null, token);
  assert.equal(refused.status, 403, 'the API refuses a non-admin too');
  await other.context().close();
});

step('a platform admin sees the admin pages', async () => {
  const admin = await newPage();
  await logIn(admin, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await admin.getByRole('link', { name: 'Admin' }).click();
  await admin.getByRole('cell', { name: 'tcg' }).or(admin.getByRole('cell', { name: 'kvm' })).first().waitFor();
  await check(admin, '16-admin-hosts');
  await admin.getByRole('button', { name: 'users' }).click();
  await admin.getByRole('cell', { name: owner.email, exact: true }).waitFor();
  await check(admin, '17-admin-users');
  await admin.context().close();
});

step('log out, and an expired session says so', async () => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('wrenn.session')), null);

  await logIn(page, owner);
  // The server no longer takes the token (as after its lifetime): the next call gets a 401.
  await page.evaluate(() => {
    const session = JSON.parse(localStorage.getItem('wrenn.session'));
    session.token = 'expired.' + session.token.split('.').slice(1).join('.');
    localStorage.setItem('wrenn.session', JSON.stringify(session));
  });
  await page.reload();
  await page.getByRole('heading', { name: 'Your session has expired' }).waitFor();
  await check(page, '18-expired');
  await page.getByRole('button', { name: 'Log in again' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
});

step('OAuth: a button per listed provider, and the callback page signs in with the session the API answers', async () => {
  // No provider is configured in this Wrenn and no real provider flow runs: the list and the
  // API's callback answer are stood in for in the browser, the page's own work is real.
  const p = await newPage();
  await p.route(/\/v1\/auth\/providers$/, (route) => route.fulfill({ json: { providers: [{ id: 'github', name: 'GitHub' }] } }));
  await p.goto(`${BASE}/dashboard/login`);
  const button = p.getByRole('link', { name: 'Log in with GitHub' });
  await button.waitFor();
  assert.equal(await button.getAttribute('href'), '/v1/auth/oauth/github/authorize');
  await check(p, '18a-login-oauth');
  await p.getByRole('link', { name: 'Sign up' }).click();
  await p.getByRole('link', { name: 'Sign up with GitHub' }).waitFor();

  // The real API refuses a provider it does not have: the page says so.
  await p.goto(`${BASE}/dashboard/oauth/github/callback?code=c&state=s`);
  await p.getByRole('heading', { name: 'The login did not finish' }).waitFor();
  await p.getByRole('alert').filter({ hasText: 'no such login provider' }).waitFor();
  await check(p, '18b-oauth-refused');
  // The provider's own refusal never reaches the API.
  await p.goto(`${BASE}/dashboard/oauth/github/callback?error=access_denied`);
  await p.getByText('The provider did not authorize the login.').waitFor();

  const login = await api('POST', '/v1/auth/login', { email: owner.email, password: owner.password });
  let asked = null;
  await p.route(/\/v1\/auth\/oauth\/github\/callback\?/, (route) => {
    asked = new URL(route.request().url()).search;
    return route.fulfill({ json: login.body });
  });
  await p.goto(`${BASE}/dashboard/oauth/github/callback?code=the-code&state=the-state`);
  await p.getByRole('heading', { name: 'Sandboxes' }).waitFor();
  assert.equal(asked, '?code=the-code&state=the-state');
  assert.equal(new URL(p.url()).pathname, '/dashboard/capsules/list');
  assert.equal(await p.evaluate(() => JSON.parse(localStorage.getItem('wrenn.session')).user.email), owner.email);
  await p.context().close();
});

step('a narrow window still shows the sandboxes page', async () => {
  await logIn(page, owner);
  await page.setViewportSize({ width: 420, height: 800 });
  await page.getByRole('button', { name: 'New sandbox' }).waitFor();
  await page.screenshot({ path: `${SHOTS}/19-narrow.png` });
  // No unknown route falls back to the app outside /dashboard: the API's 404 stays JSON.
  const missing = await fetch(`${BASE}/v1/no-such-route`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /json/);
});
