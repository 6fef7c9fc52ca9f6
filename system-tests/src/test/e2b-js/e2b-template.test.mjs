// E2B's Template builder and Template.build through Wrenn's facade, with the unmodified SDK.
// One builder boots cold (from E2B's base image, Wrenn's debian); the refused build boots none.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Sandbox, Template } from 'e2b'

const run = `${process.pid}-${Date.now()}`
const httpReady = `python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/index.html')"`

test('Template.build: every step kind, status and logs, then a sandbox whose start command already serves', async (t) => {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'wrenn-e2b-template-'))
  t.after(() => fs.rmSync(context, { recursive: true, force: true }))
  fs.writeFileSync(path.join(context, 'hello.txt'), 'hello from the upload\n')
  fs.mkdirSync(path.join(context, 'site'))
  fs.writeFileSync(path.join(context, 'site', 'index.html'), '<p>built through e2b</p>\n')
  const alias = `e2b-built-${run}`.replace(/[^a-z0-9-]/g, '-')

  const template = Template({ fileContextPath: context })
    .fromBaseImage()
    .setEnvs({ GREETING: 'hello', TOOLS: '$HOME/tools' })
    .copy('hello.txt', '/home/user/hello.txt')
    .copy('site', '/srv/site', { user: 'root', mode: 0o644 })
    .runCmd('echo "$GREETING $TOOLS" > /home/user/greeting')
    .runCmd('id -un > /srv/built-by', { user: 'root' })
    .setUser('builder')
    .runCmd('id -un > /tmp/second-user')
    .setUser('user')
    .setWorkdir('/srv/site')
    .setStartCmd('python3 -m http.server 8000 --bind 127.0.0.1', httpReady)

  const logs = []
  const built = await Template.build(template, alias, { onBuildLogs: (entry) => logs.push(entry.message) })
  assert.equal(built.templateId, alias)
  assert.ok(logs.some((line) => /step \d+\/\d+/.test(line)), `no step progress in the logs: ${logs.join('\n')}`)
  assert.ok(await Template.exists(alias))
  const status = await Template.getBuildStatus({ templateId: built.templateId, buildId: built.buildId })
  assert.equal(status.status, 'ready')

  const sbx = await Sandbox.create(alias, { timeoutMs: 120_000 })
  try {
    // The start command was running when the template was snapshotted: it answers at once.
    const page = await sbx.commands.run(`python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8000/index.html').read().decode(), end='')"`)
    assert.equal(page.stdout, '<p>built through e2b</p>\n')
    const facts = await sbx.commands.run('whoami; pwd; cat ~/hello.txt ~/greeting /srv/built-by /tmp/second-user; stat -c "%U %a" /srv/site/index.html; echo "$GREETING"')
    assert.equal(facts.stdout, 'user\n/srv/site\nhello from the upload\nhello /home/user/tools\nroot\nbuilder\nroot 644\nhello\n')
    assert.equal((await sbx.commands.run('grep -c NOPASSWD /etc/sudoers.d/builder', { user: 'root' })).stdout, '1\n')
  } finally {
    await Sandbox.kill(sbx.sandboxId)
  }
})

test('a base from a container registry is refused with a clear error', async () => {
  await assert.rejects(
    Template.build(Template().fromImage('python:3.12'), `e2b-registry-${run}`.replace(/[^a-z0-9-]/g, '-')),
    (error) => /container registry/.test(error.message),
  )
})
