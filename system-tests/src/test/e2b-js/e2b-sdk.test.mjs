// The unmodified E2B JS SDK (pinned in package-lock.json) against a running Wrenn.
// Only E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY are set (E2bSdkTest starts Wrenn and runs
// this file with `node --test`). Three cold boots in all: the main sandbox, the resume of a
// sandbox paused without its memory and, in its own test, one of E2B's default template; a snapshot of the main one (E2B's createSnapshot) is the
// template of the second sandbox (without internet access), which the list filters and
// pagination must tell apart, and of every other sandbox the tests make.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, CommandExitError, SandboxNotFoundError, FileType, FilesystemEventType, ALL_TRAFFIC } from 'e2b'

for (const name of ['E2B_API_URL', 'E2B_SANDBOX_URL', 'E2B_API_KEY']) {
  assert.ok(process.env[name], `${name} must be set`)
}
const run = `${process.pid}-${Date.now()}`
let sbx
let other
let suiteSnapshot

before(async () => {
  sbx = await Sandbox.create('debian', {
    metadata: { suite: 'e2b-js', run, role: 'main' },
    envs: { GREETING: 'hello from create' },
    timeoutMs: 600_000,
  })
  suiteSnapshot = (await sbx.createSnapshot({ name: `suite-${run}` })).snapshotId
  // Restored from the snapshot; this one pauses at its timeout and wakes on traffic.
  other = await Sandbox.create(suiteSnapshot, {
    metadata: { suite: 'e2b-js', run, role: 'other' },
    timeoutMs: 600_000,
    lifecycle: { onTimeout: 'pause', autoResume: true },
    allowInternetAccess: false,
    network: { allowOut: ['198.51.100.7'] },
  })
})

after(async () => {
  for (const s of [sbx, other]) {
    if (s) await Sandbox.kill(s.sandboxId).catch(() => {})
  }
  if (suiteSnapshot) await Sandbox.deleteSnapshot(suiteSnapshot).catch(() => {})
})

test('create: template, metadata, envs, timeout', async () => {
  assert.match(sbx.sandboxId, /^sb-/)
  const info = await sbx.getInfo()
  assert.equal(info.templateId, 'debian')
  assert.equal(info.state, 'running')
  assert.deepEqual(info.metadata, { suite: 'e2b-js', run, role: 'main' })
  assert.ok(info.cpuCount >= 1)
  assert.ok(info.memoryMB >= 128)
  const ttl = info.endAt.getTime() - info.startedAt.getTime()
  assert.ok(ttl > 590_000 && ttl <= 600_000 + 5_000, `timeout not applied: ${ttl} ms`)
  assert.ok(await sbx.isRunning())
  const env = await sbx.commands.run('echo "$GREETING"')
  assert.equal(env.stdout, 'hello from create\n')
})

test('commands.run: stdout, stderr, exit code, env, cwd, user', async () => {
  const ok = await sbx.commands.run('echo out; echo err >&2')
  assert.equal(ok.exitCode, 0)
  assert.equal(ok.stdout, 'out\n')
  assert.equal(ok.stderr, 'err\n')

  await assert.rejects(sbx.commands.run('echo failing >&2; exit 3'), (e) => {
    assert.ok(e instanceof CommandExitError)
    assert.equal(e.exitCode, 3)
    assert.equal(e.stderr, 'failing\n')
    return true
  })

  const env = await sbx.commands.run('echo "$A-$B"', { envs: { A: 'one', B: 'two' } })
  assert.equal(env.stdout, 'one-two\n')
  const cwd = await sbx.commands.run('pwd', { cwd: '/tmp' })
  assert.equal(cwd.stdout, '/tmp\n')
  const home = await sbx.commands.run('pwd; whoami')
  assert.equal(home.stdout, '/home/user\nuser\n')
  const root = await sbx.commands.run('whoami', { user: 'root' })
  assert.equal(root.stdout, 'root\n')
})

test('commands.run: onStdout streams output while the command runs', async () => {
  const chunks = []
  let sawFirstBeforeEnd = false
  const result = await sbx.commands.run('echo first; sleep 1; echo second', {
    onStdout: (data) => {
      chunks.push(data)
      if (data.includes('first') && !chunks.some((c) => c.includes('second'))) sawFirstBeforeEnd = true
    },
  })
  assert.equal(result.stdout, 'first\nsecond\n')
  assert.ok(sawFirstBeforeEnd, 'first line arrived only with the second')
  assert.ok(chunks.length >= 2, `expected separate chunks, got ${JSON.stringify(chunks)}`)
})

test('commands: background, connect by pid, sendStdin, kill', async () => {
  const handle = await sbx.commands.run('read line; echo "got:$line"', { background: true, stdin: true })
  assert.ok(handle.pid > 0)
  const running = await sbx.commands.list()
  assert.ok(running.some((p) => p.pid === handle.pid))

  const received = []
  const attached = await sbx.commands.connect(handle.pid, { onStdout: (d) => received.push(d) })
  await sbx.commands.sendStdin(handle.pid, 'ping\n')
  const result = await attached.wait()
  assert.equal(result.exitCode, 0)
  assert.equal(result.stdout, 'got:ping\n')
  assert.ok(received.join('').includes('got:ping'))

  const sleeper = await sbx.commands.run('sleep 600', { background: true })
  assert.equal(await sbx.commands.kill(sleeper.pid), true)
  await assert.rejects(sleeper.wait(), CommandExitError)
  const after = await sbx.commands.list()
  assert.ok(!after.some((p) => p.pid === sleeper.pid))
})

test('pty: create, input, resize', async () => {
  let output = ''
  const decoder = new TextDecoder()
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, onData: (d) => { output += decoder.decode(d) } })
  await sbx.pty.sendInput(terminal.pid, new TextEncoder().encode('stty size; echo pty-$((6*7))\n'))
  await waitFor(() => output.includes('pty-42') && output.includes('24 80'), () => output)
  await sbx.pty.resize(terminal.pid, { cols: 100, rows: 30 })
  await sbx.pty.sendInput(terminal.pid, new TextEncoder().encode('stty size\n'))
  await waitFor(() => output.includes('30 100'), () => output)
  await sbx.pty.sendInput(terminal.pid, new TextEncoder().encode('exit\n'))
  const result = await terminal.wait()
  assert.equal(result.exitCode, 0)
})

test('files: write, read, list, exists, makeDir, rename, remove, getInfo', async () => {
  const dir = '/home/user/e2b-files'
  assert.equal(await sbx.files.makeDir(dir), true)
  assert.equal(await sbx.files.makeDir(dir), false)

  const text = await sbx.files.write(`${dir}/hello.txt`, 'hello, wrenn\n')
  assert.equal(text.path, `${dir}/hello.txt`)
  assert.equal(await sbx.files.read(`${dir}/hello.txt`), 'hello, wrenn\n')

  const binary = new Uint8Array(300_000)
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7 + 3) % 256
  await sbx.files.write(`${dir}/data.bin`, binary.buffer)
  const back = await sbx.files.read(`${dir}/data.bin`, { format: 'bytes' })
  assert.equal(back.length, binary.length)
  assert.deepEqual(Buffer.from(back), Buffer.from(binary))

  const entries = await sbx.files.list(dir)
  assert.deepEqual(entries.map((e) => e.name).sort(), ['data.bin', 'hello.txt'])
  assert.ok(entries.every((e) => e.type === FileType.FILE))

  const info = await sbx.files.getInfo(`${dir}/data.bin`)
  assert.equal(info.size, binary.length)
  assert.equal(info.owner, 'user')

  assert.equal(await sbx.files.exists(`${dir}/hello.txt`), true)
  await sbx.files.rename(`${dir}/hello.txt`, `${dir}/renamed.txt`)
  assert.equal(await sbx.files.exists(`${dir}/hello.txt`), false)
  assert.equal(await sbx.files.read(`${dir}/renamed.txt`), 'hello, wrenn\n')
  await sbx.files.remove(`${dir}/renamed.txt`)
  assert.equal(await sbx.files.exists(`${dir}/renamed.txt`), false)
  await assert.rejects(sbx.files.read(`${dir}/renamed.txt`))
})

test('signed file URLs: a valid signature 200, a wrong or expired one 401 (as envd)', async () => {
  const path = '/home/user/signed.txt'
  await sbx.files.write(path, 'signed\n')
  const url = await sbx.downloadUrl(path)
  const ok = await fetch(url)
  assert.equal(ok.status, 200)
  assert.equal(await ok.text(), 'signed\n')

  const wrong = new URL(url)
  wrong.searchParams.set('signature', 'v1_' + 'A'.repeat(43))
  assert.equal((await fetch(wrong)).status, 401)
  const expired = await sbx.downloadUrl(path, { useSignatureExpiration: -60 })
  assert.equal((await fetch(expired)).status, 401)
  const unsigned = new URL(url)
  unsigned.searchParams.delete('signature')
  assert.equal((await fetch(unsigned)).status, 401)

  const upload = await sbx.uploadUrl('/home/user/uploaded.txt', { useSignatureExpiration: 600 })
  const form = new FormData()
  form.append('file', new Blob(['through a signed url\n']), 'uploaded.txt')
  assert.equal((await fetch(upload, { method: 'POST', body: form })).status, 200)
  assert.equal(await sbx.files.read('/home/user/uploaded.txt'), 'through a signed url\n')
})

test('files: watchDir reports changes', async () => {
  const dir = '/home/user/watched'
  await sbx.files.makeDir(dir)
  const events = []
  const handle = await sbx.files.watchDir(dir, (e) => events.push(e))
  try {
    await sbx.files.write(`${dir}/new.txt`, 'x')
    await waitFor(() => events.some((e) => e.name === 'new.txt' && e.type === FilesystemEventType.CREATE), () => JSON.stringify(events))
    await sbx.files.remove(`${dir}/new.txt`)
    await waitFor(() => events.some((e) => e.name === 'new.txt' && e.type === FilesystemEventType.REMOVE), () => JSON.stringify(events))
  } finally {
    await handle.stop()
  }
})

test('setTimeout moves the end', async () => {
  await sbx.setTimeout(1_200_000)
  const info = await sbx.getInfo()
  const left = info.endAt.getTime() - Date.now()
  assert.ok(left > 1_100_000 && left <= 1_210_000, `end not moved: ${left} ms left`)
  await sbx.setTimeout(600_000)
  const shorter = (await sbx.getInfo()).endAt.getTime() - Date.now()
  assert.ok(shorter > 500_000 && shorter <= 610_000, `end not shortened: ${shorter} ms left`)
})

test('connect to a running sandbox by id', async () => {
  const again = await Sandbox.connect(sbx.sandboxId, { timeoutMs: 900_000 })
  assert.equal(again.sandboxId, sbx.sandboxId)
  const seen = await again.commands.run('cat /home/user/e2b-files/data.bin | wc -c')
  assert.equal(seen.stdout.trim(), '300000')
  const left = (await sbx.getInfo()).endAt.getTime() - Date.now()
  assert.ok(left > 800_000, `connect did not extend the timeout: ${left} ms left`)
})

test('the API key has the form the SDK checks on the client (e2b_ + lowercase hex)', () => {
  // Newer SDK releases refuse any other key before sending a request (unless
  // E2B_VALIDATE_API_KEY=false, which this suite does not set): every key Wrenn issues has it.
  assert.notEqual(process.env.E2B_VALIDATE_API_KEY, 'false')
  assert.match(process.env.E2B_API_KEY, /^e2b_[0-9a-f]+$/)
})

test('Sandbox.connect(id) without options: the SDK sends no timeout', async () => {
  const again = await Sandbox.connect(sbx.sandboxId)
  assert.equal(again.sandboxId, sbx.sandboxId)
  assert.equal((await again.commands.run('echo connected')).stdout, 'connected\n')
  // E2B's default (300 s from now) does not shorten a later end
  const left = (await sbx.getInfo()).endAt.getTime() - Date.now()
  assert.ok(left > 800_000, `connect shortened the timeout: ${left} ms left`)
})

test('snapshots: create, list, create a sandbox from one, delete', async () => {
  await sbx.files.write('/home/user/in-snapshot.txt', 'from the snapshot\n')
  const name = `snap-${run}`
  const snapshot = await sbx.createSnapshot({ name })
  assert.equal(snapshot.snapshotId, name)
  assert.deepEqual(snapshot.names, [name])
  assert.ok(await sbx.isRunning(), 'the source keeps running')

  const ofSandbox = await collect(Sandbox.listSnapshots({ sandboxId: sbx.sandboxId }))
  assert.deepEqual(ofSandbox.map((s) => s.snapshotId).sort(), [name, suiteSnapshot].sort())
  const all = await collect(Sandbox.listSnapshots())
  assert.ok(all.some((s) => s.snapshotId === name))
  assert.deepEqual(await collect(Sandbox.listSnapshots({ sandboxId: other.sandboxId })), [])

  const restored = await Sandbox.create(snapshot.snapshotId, { timeoutMs: 120_000 })
  try {
    assert.notEqual(restored.sandboxId, sbx.sandboxId)
    assert.equal(await restored.files.read('/home/user/in-snapshot.txt'), 'from the snapshot\n')
    await assert.rejects(Sandbox.deleteSnapshot(snapshot.snapshotId), 'a snapshot in use is not deleted')
  } finally {
    await restored.kill()
  }
  assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), true)
  assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), false)
  assert.deepEqual((await collect(Sandbox.listSnapshots({ sandboxId: sbx.sandboxId }))).map((s) => s.snapshotId),
    [suiteSnapshot])
})

test('fork: three running copies with memory, processes and files; they diverge; the source keeps running', async () => {
  await sbx.files.write('/home/user/before-fork.txt', 'shared\n')
  const sleeper = await sbx.commands.run('sleep 900', { background: true })
  const forks = await sbx.fork({ count: 3, timeoutMs: 120_000 })
  try {
    assert.equal(forks.length, 3)
    for (const f of forks) assert.ok(f instanceof Sandbox, `a fork failed: ${f}`)
    const ids = new Set([sbx.sandboxId, ...forks.map((f) => f.sandboxId)])
    assert.equal(ids.size, 4)
    await Promise.all(forks.map(async (f, i) => {
      assert.equal(await f.files.read('/home/user/before-fork.txt'), 'shared\n')
      assert.ok((await f.commands.list()).some((p) => p.pid === sleeper.pid), 'the process is in the fork')
      await f.files.write('/home/user/who.txt', `fork-${i}\n`)
    }))
    for (const [i, f] of forks.entries()) {
      assert.equal(await f.files.read('/home/user/who.txt'), `fork-${i}\n`)
    }
    assert.equal(await sbx.files.exists('/home/user/who.txt'), false)
    assert.equal((await sbx.getInfo()).state, 'running')
    assert.ok((await sbx.commands.list()).some((p) => p.pid === sleeper.pid))
  } finally {
    await Promise.all(forks.filter((f) => f instanceof Sandbox).map((f) => f.kill().catch(() => {})))
    await sbx.commands.kill(sleeper.pid)
  }
})

// The one test on the real uplink: HTTPS to the npm registry (the only outside host it may reach).
test('network: a default sandbox reaches the npm registry over HTTPS; allowInternetAccess and updateNetwork hold', async () => {
  const fetch = `python3 -c "import urllib.request
try:
  print(urllib.request.urlopen('https://registry.npmjs.org/', timeout=30).status)
except Exception as e:
  r = getattr(e, 'reason', e)
  print('refused' if isinstance(r, (ConnectionRefusedError, ConnectionResetError)) else repr(e))"`
  const status = async (s) => (await s.commands.run(fetch, { timeoutMs: 90_000 })).stdout.trim()
  assert.equal(await status(sbx), '200')
  // every TLS client of the image trusts what the host trusts (here a CA that re-signs TLS on its way out)
  const curl = await sbx.commands.run("curl -sS -o /dev/null -w '%{http_code}' https://registry.npmjs.org/", { timeoutMs: 90_000 })
  assert.equal(curl.stdout, '200')
  const node = await sbx.commands.run("node -e \"fetch('https://registry.npmjs.org/').then(r => console.log(r.status), e => console.log(String(e.cause || e)))\"", { timeoutMs: 90_000 })
  assert.equal(node.stdout.trim(), '200')

  const info = await other.getInfo()
  assert.equal(info.allowInternetAccess, false)
  assert.deepEqual(info.network.allowOut, ['198.51.100.7'])
  assert.equal(await status(other), 'refused')

  await sbx.updateNetwork({ denyOut: [ALL_TRAFFIC] })
  assert.equal(await status(sbx), 'refused')
  await sbx.updateNetwork({})
  assert.equal(await status(sbx), '200')
})

test('pause, then connect: memory, processes and files restored', async () => {
  await sbx.files.write('/home/user/before-pause.txt', 'kept across pause\n')
  const sleeper = await sbx.commands.run('sleep 900', { background: true })
  const counter = await sbx.commands.run('echo $((40+2)) > /tmp/in-tmpfs-or-disk; echo ok')
  assert.equal(counter.stdout, 'ok\n')

  assert.equal(await sbx.pause(), true)
  assert.equal(await Sandbox.pause(sbx.sandboxId), false, 'a second pause is a 409')
  const paused = await sbx.getInfo()
  assert.equal(paused.state, 'paused')
  const listed = await collect(Sandbox.list({ query: { metadata: { run, role: 'main' }, state: ['paused'] } }))
  assert.deepEqual(listed.map((s) => s.sandboxId), [sbx.sandboxId])

  const back = await Sandbox.connect(sbx.sandboxId, { timeoutMs: 600_000 })
  assert.equal((await back.getInfo()).state, 'running')
  const processes = await back.commands.list()
  assert.ok(processes.some((p) => p.pid === sleeper.pid), 'the background process survived the pause')
  assert.equal(await back.files.read('/home/user/before-pause.txt'), 'kept across pause\n')
  assert.equal((await back.commands.run('cat /tmp/in-tmpfs-or-disk')).stdout, '42\n')
  await back.commands.kill(sleeper.pid)
})

test('a paused sandbox with autoResume wakes on traffic', async () => {
  const info = await other.getInfo()
  assert.deepEqual(info.lifecycle, { onTimeout: 'pause', autoResume: true })
  assert.equal(await Sandbox.pause(other.sandboxId), true)
  assert.equal((await other.getInfo()).state, 'paused')
  const woke = await other.commands.run('echo awake')
  assert.equal(woke.stdout, 'awake\n')
  assert.equal((await other.getInfo()).state, 'running')
})

test('Sandbox.list: metadata and state filters, pagination', async () => {
  const mine = await collect(Sandbox.list({ query: { metadata: { suite: 'e2b-js', run } } }))
  assert.deepEqual(mine.map((s) => s.sandboxId).sort(), [sbx.sandboxId, other.sandboxId].sort())
  const main = await collect(Sandbox.list({ query: { metadata: { run, role: 'main' }, state: ['running'] } }))
  assert.deepEqual(main.map((s) => s.sandboxId), [sbx.sandboxId])
  assert.equal(main[0].state, 'running')
  assert.equal(main[0].templateId, 'debian')
  const paused = await collect(Sandbox.list({ query: { metadata: { run }, state: ['paused'] } }))
  assert.deepEqual(paused, [])

  const pager = Sandbox.list({ query: { metadata: { run } }, limit: 1 })
  const first = await pager.nextItems()
  assert.equal(first.length, 1)
  assert.ok(pager.hasNext)
  const second = await pager.nextItems()
  assert.equal(second.length, 1)
  assert.notEqual(first[0].sandboxId, second[0].sandboxId)
  assert.ok(!pager.hasNext)
})

test('getMetrics reports measured numbers', async () => {
  // Served from the stored series: the host samples every 5 s and the control plane collects
  // every 5 s, so a young sandbox may have no point yet (or none with the guest's own figures).
  let metrics = await sbx.getMetrics()
  for (let i = 0; i < 90 && (metrics.length === 0 || metrics[metrics.length - 1].memUsed === 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    metrics = await sbx.getMetrics()
  }
  assert.ok(metrics.length >= 1)
  const m = metrics[metrics.length - 1]
  assert.ok(m.cpuCount >= 1)
  assert.ok(m.cpuUsedPct >= 0 && m.cpuUsedPct <= 100)
  assert.ok(m.memTotal > 100 * 1024 * 1024, `memTotal ${m.memTotal}`)
  assert.ok(m.memUsed > 0 && m.memUsed < m.memTotal, `memUsed ${m.memUsed}`)
  assert.ok(m.diskTotal > 0 && m.diskUsed > 0 && m.diskUsed < m.diskTotal)
  assert.ok(Math.abs(m.timestamp.getTime() - Date.now()) < 120_000)
})

test('getMetrics: start and end select the range; a range in the future is empty', async () => {
  let all = await sbx.getMetrics()
  for (let i = 0; i < 60 && all.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    all = await sbx.getMetrics()
  }
  assert.ok(all.length >= 2, `only ${all.length} points`)
  const first = all[0].timestamp
  const ranged = await sbx.getMetrics({ start: first, end: new Date(first.getTime() + 1000) })
  assert.ok(ranged.length >= 1 && ranged.length < all.length, `${ranged.length} of ${all.length} points in a 1 s range`)
  for (const m of ranged) {
    assert.ok(m.timestamp.getTime() >= first.getTime() - 1000 && m.timestamp.getTime() <= first.getTime() + 2000,
      `a point outside the range: ${m.timestamp.toISOString()}`)
  }
  const future = await sbx.getMetrics({ start: new Date(Date.now() + 3_600_000), end: new Date(Date.now() + 7_200_000) })
  assert.deepEqual(future, [])
})

test('files: metadata is written with a file, shown by getInfo and list, kept by rename, replaced by an overwrite', async () => {
  const dir = `/home/user/meta-${run}`
  await sbx.files.makeDir(dir)
  await sbx.files.write(`${dir}/a.txt`, 'a', { metadata: { Owner: 'suite', purpose: 'check' } })
  const expected = { owner: 'suite', purpose: 'check' }
  assert.deepEqual((await sbx.files.getInfo(`${dir}/a.txt`)).metadata, expected)
  assert.deepEqual((await sbx.files.list(dir)).find((e) => e.name === 'a.txt').metadata, expected)
  await sbx.files.rename(`${dir}/a.txt`, `${dir}/b.txt`)
  assert.deepEqual((await sbx.files.getInfo(`${dir}/b.txt`)).metadata, expected)
  await sbx.files.write(`${dir}/b.txt`, 'b', { metadata: { fresh: 'yes' } })
  assert.deepEqual((await sbx.files.getInfo(`${dir}/b.txt`)).metadata, { fresh: 'yes' })
  await sbx.files.write(`${dir}/b.txt`, 'c')
  assert.equal((await sbx.files.getInfo(`${dir}/b.txt`)).metadata, undefined)
})

test('files: watchDir with includeEntry gives each event the entry', async () => {
  const dir = `/home/user/watched-entries-${run}`
  await sbx.files.makeDir(dir)
  const events = []
  const handle = await sbx.files.watchDir(dir, (e) => events.push(e), { includeEntry: true })
  try {
    await sbx.files.write(`${dir}/entry.txt`, 'hello')
    await waitFor(() => events.some((e) => e.name === 'entry.txt' && e.entry && e.entry.type === FileType.FILE
      && e.entry.path === `${dir}/entry.txt` && e.entry.name === 'entry.txt'), () => JSON.stringify(events))
  } finally {
    await handle.stop()
  }
})

test('files: gzip on upload and on download', async () => {
  const path = `/home/user/gzip-${run}.txt`
  const payload = 'compress me, '.repeat(20_000)
  await sbx.files.write(path, payload, { gzip: true })
  // stored as sent before compression
  assert.equal((await sbx.commands.run(`wc -c < ${path}`)).stdout.trim(), String(payload.length))
  assert.equal(await sbx.files.read(path, { gzip: true }), payload)
  const compressed = await fetch(await sbx.downloadUrl(path), { headers: { 'Accept-Encoding': 'gzip' } })
  assert.equal(compressed.status, 200)
  assert.equal(compressed.headers.get('content-encoding'), 'gzip')
  assert.equal(await compressed.text(), payload)
})

test('pty: the envs it was created with are there after a reconnect', async () => {
  const decoder = new TextDecoder()
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, envs: { PTY_SECRET: 'kept-42' }, onData: () => {} })
  await terminal.disconnect()
  let output = ''
  const again = await sbx.pty.connect(terminal.pid, { onData: (d) => { output += decoder.decode(d) } })
  await sbx.pty.sendInput(terminal.pid, new TextEncoder().encode('echo "v=$PTY_SECRET"\n'))
  await waitFor(() => output.includes('v=kept-42'), () => output)
  await sbx.pty.sendInput(terminal.pid, new TextEncoder().encode('exit\n'))
  assert.equal((await again.wait()).exitCode, 0)
})

test('lifecycle: the timeout pauses (with memory, or keeping only the files); autoResume wakes on traffic, its off switch does not', async () => {
  // A long timeout while they are set up (a loaded host restores slowly), then a short one.
  const make = (role, lifecycle) => Sandbox.create(suiteSnapshot, {
    metadata: { suite: 'e2b-js', run, role }, timeoutMs: 300_000, lifecycle,
  })
  const [waking, sleeping, filesOnly] = await Promise.all([
    make('waking', { onTimeout: 'pause', autoResume: true }),
    make('sleeping', { onTimeout: 'pause', autoResume: false }),
    make('files-only', { onTimeout: { action: 'pause', keepMemory: false } }),
  ])
  try {
    const sleeper = await waking.commands.run('sleep 900', { background: true })
    await waking.files.write('/home/user/before-timeout.txt', 'written before the timeout\n')
    assert.deepEqual((await sleeping.getInfo()).lifecycle, { onTimeout: 'pause', autoResume: false })
    assert.deepEqual((await filesOnly.getInfo()).lifecycle, { onTimeout: 'pause', autoResume: false })
    await Promise.all([waking, sleeping, filesOnly].map((s) => s.setTimeout(15_000)))
    for (const s of [waking, sleeping, filesOnly]) await waitForState(s, 'paused')

    await assert.rejects(sleeping.commands.run('echo woken', { requestTimeoutMs: 30_000 }))
    assert.equal((await sleeping.getInfo()).state, 'paused', 'autoResume off: traffic does not resume it')

    // the first request through the traffic route resumes it
    assert.equal(await waking.files.read('/home/user/before-timeout.txt'), 'written before the timeout\n')
    await waking.setTimeout(300_000) // woken, it has its 15 s again: keep it for the checks
    assert.equal((await waking.getInfo()).state, 'running')
    assert.ok((await waking.commands.list()).some((p) => p.pid === sleeper.pid), 'resumed with its memory')
    assert.equal((await waking.commands.run('echo awake')).stdout, 'awake\n')

    const back = await Sandbox.connect(sleeping.sandboxId, { timeoutMs: 120_000 })
    assert.equal((await back.commands.run('echo connected')).stdout, 'connected\n')
  } finally {
    await Promise.all([waking, sleeping, filesOnly].map((s) => s.kill().catch(() => {})))
  }
})

test('pause({keepMemory: false}): files, envs, metadata and network policy kept, processes gone; traffic does not wake it, connect boots it', async () => {
  const fs = await Sandbox.create(suiteSnapshot, {
    metadata: { suite: 'e2b-js', run, role: 'files-only-pause' },
    envs: { KEPT: 'env-kept' },
    timeoutMs: 600_000,
    lifecycle: { onTimeout: 'pause', autoResume: true },
    allowInternetAccess: false,
    network: { allowOut: ['198.51.100.9'] },
  })
  try {
    await fs.files.write('/home/user/kept.txt', 'on disk\n')
    await fs.commands.run('sleep 900', { background: true })
    assert.equal(await fs.pause({ keepMemory: false }), true)
    assert.equal((await fs.getInfo()).state, 'paused')
    await assert.rejects(fs.commands.run('echo woken', { requestTimeoutMs: 30_000 }))
    assert.equal((await fs.getInfo()).state, 'paused', 'a pause without memory is resumed by connect only')

    // One cold boot of the kept disk: under TCG minutes, past the SDK's default request timeout.
    const back = await Sandbox.connect(fs.sandboxId, { timeoutMs: 600_000, onResume: 'reboot', requestTimeoutMs: 600_000 })
    const cold = { timeoutMs: 300_000 }
    assert.equal(await back.files.read('/home/user/kept.txt', { requestTimeoutMs: 300_000 }), 'on disk\n')
    assert.equal((await back.commands.run('pgrep -x sleep || echo none', cold)).stdout, 'none\n')
    assert.equal((await back.commands.run('echo "$KEPT"', cold)).stdout, 'env-kept\n')
    const info = await back.getInfo()
    assert.equal(info.state, 'running')
    assert.equal(info.metadata.role, 'files-only-pause')
    assert.equal(info.allowInternetAccess, false)
    assert.deepEqual(info.network?.allowOut, ['198.51.100.9'])
  } finally {
    await fs.kill().catch(() => {})
  }
})

// Last but one: its cold boot takes minutes under TCG, which must not use up the main sandbox's timeout.
test('Sandbox.create() without a template: base, with the tools of E2B\'s base', async () => {
  // A cold boot of its own: E2B's default template, `base` (a Wrenn platform template)
  const base = await Sandbox.create({ timeoutMs: 600_000 })
  try {
    assert.equal((await base.getInfo()).templateId, 'base')
    const tools = ['git', 'curl', 'wget', 'python', 'python3', 'pip', 'pip3', 'node', 'npm', 'npx', 'gcc', 'g++', 'make',
      'jq', 'unzip', 'zip', 'xz', 'ssh', 'sudo']
    // The first commands of a freshly booted guest read everything from disk: under TCG (CI) a
    // venv and pip take minutes, past the SDK's default 60 s.
    const cold = { timeoutMs: 300_000 }
    const found = await base.commands.run(`for t in ${tools.join(' ')}; do command -v $t > /dev/null || echo "missing $t"; done`, cold)
    assert.equal(found.stdout, '')
    // venv and pip work as the default user (ensurepip is there for a venv's own pip; running it
    // would only unpack a wheel, minutes under TCG); sudo needs no password
    const venv = await base.commands.run('python -m venv --without-pip /tmp/venv && /tmp/venv/bin/python -c "import ensurepip, sys; print(sys.prefix)" && pip --version && sudo -n id -u', cold)
    assert.match(venv.stdout, /^\/tmp\/venv\npip .*\n0\n$/)
    assert.equal((await base.commands.run('whoami && pwd')).stdout, 'user\n/home/user\n')
    // built at the default disk size: the whole disk is there from the start
    const df = await base.commands.run("df -m / | awk 'NR==2 {print $2}'")
    assert.ok(Number(df.stdout) > 4500, `root filesystem only ${df.stdout.trim()} MiB`)
  } finally {
    await base.kill()
  }
})

test('kill ends the sandbox', async () => {
  assert.equal(await Sandbox.kill(other.sandboxId), true)
  assert.equal(await Sandbox.kill(other.sandboxId), false)
  await assert.rejects(Sandbox.getInfo(other.sandboxId), SandboxNotFoundError)
  await sbx.kill()
  assert.equal(await sbx.isRunning().catch(() => false), false)
  const left = await collect(Sandbox.list({ query: { metadata: { run } } }))
  assert.deepEqual(left, [])
})

async function collect(pager) {
  const all = []
  while (pager.hasNext) all.push(...(await pager.nextItems()))
  return all
}

async function waitForState(sandbox, state, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs
  let now
  while ((now = (await sandbox.getInfo()).state) !== state) {
    if (Date.now() > deadline) assert.fail(`${sandbox.sandboxId} still ${now} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

async function waitFor(condition, describe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`condition not met in ${timeoutMs} ms: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
