import { afterEach, describe, expect, it, vi } from 'vitest';
import { age, auditOutcome, bytes, commandLine, dateAndTime, dateTime, parsePairs, poll, splitAfter, until } from './format';

const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('times', () => {
  it('says how long ago', () => {
    expect(age('2026-06-01T11:59:30Z', NOW)).toBe('30s ago');
    expect(age('2026-06-01T11:15:00Z', NOW)).toBe('45m ago');
    expect(age('2026-06-01T09:50:00Z', NOW)).toBe('2h 10m ago');
    expect(age('2026-05-29T12:00:00Z', NOW)).toBe('3d ago');
    expect(age('2026-06-01T12:05:00Z', NOW)).toBe('5m from now');
    expect(age(null, NOW)).toBe('—');
  });

  it('says how long until', () => {
    expect(until('2026-06-01T12:04:00Z', NOW)).toBe('in 4m');
    expect(until('2026-06-01T11:00:00Z', NOW)).toBe('due');
    expect(until(undefined, NOW)).toBe('—');
  });

  it('writes a date and time, or a dash', () => {
    expect(dateTime(null)).toBe('—');
    expect(dateTime('2026-06-01T12:00:00Z')).toBe(new Date(NOW).toLocaleString());
  });
});

describe('bytes', () => {
  it('uses binary units with one decimal below ten', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(1023)).toBe('1023 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(10 * 1024)).toBe('10 KiB');
    expect(bytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(bytes(3 * 1024 ** 5)).toBe('3072 TiB');
    expect(bytes(null)).toBe('—');
  });
});

describe('parsePairs', () => {
  it('reads KEY=value lines, values kept as written', () => {
    expect(parsePairs('A=1\n\n  B = two words \nC=x=y', 'Env')).toEqual({ A: '1', B: ' two words', C: 'x=y' });
  });

  it('names the malformed line', () => {
    expect(() => parsePairs('A=1\nnope', 'Metadata')).toThrow('Metadata, line 2: write KEY=value');
    expect(() => parsePairs('=1', 'Env')).toThrow('line 1');
  });
});

describe('commandLine', () => {
  it('quotes the arguments a shell would split', () => {
    expect(commandLine('/bin/sh', ['-lc', 'echo hi > /tmp/x'])).toBe(`/bin/sh -lc 'echo hi > /tmp/x'`);
    expect(commandLine('python3', ['-c', "print('a')"])).toBe(`python3 -c 'print('\\''a'\\'')'`);
    expect(commandLine('sleep', ['60'])).toBe('sleep 60');
    expect(commandLine('env', [''])).toBe(`env ''`);
  });
});

describe('poll', () => {
  let hidden = false;
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  afterEach(() => {
    vi.useRealTimers();
    hidden = false;
  });

  it('runs at once, then every period, and not once stopped', async () => {
    vi.useFakeTimers();
    const task = vi.fn();
    const stop = poll(task, 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2500);
    expect(task).toHaveBeenCalledTimes(3);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('skips while the tab is hidden and runs when it shows again', async () => {
    vi.useFakeTimers();
    const task = vi.fn();
    const stop = poll(task, 1000);
    await vi.advanceTimersByTimeAsync(0);
    hidden = true;
    await vi.advanceTimersByTimeAsync(3000);
    expect(task).toHaveBeenCalledTimes(1);
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps polling after a failed run', async () => {
    vi.useFakeTimers();
    const task = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue(undefined);
    const stop = poll(task, 1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(task).toHaveBeenCalledTimes(2);
    stop();
  });
});

describe('audit outcomes', () => {
  it('shows the status of a settled call and none of a pending or lost one', () => {
    expect(auditOutcome({ outcome: 'success', status: 201 })).toEqual({ label: 'success (201)', tone: 'running' });
    expect(auditOutcome({ outcome: 'failure', status: 409 })).toEqual({ label: 'failure (409)', tone: 'error' });
    expect(auditOutcome({ outcome: 'pending', status: null })).toEqual({ label: 'pending', tone: 'pending' });
    expect(auditOutcome({ outcome: 'lost', status: null })).toEqual({ label: 'lost', tone: 'unknown' });
  });
});

describe('splitAfter', () => {
  it('cuts after each separator and keeps every character', () => {
    expect(splitAfter('DELETE /v1/teams/{id}/invitations/{invitation_id}', '/'))
      .toEqual(['DELETE /', 'v1/', 'teams/', '{id}/', 'invitations/', '{invitation_id}']);
    expect(splitAfter('ada@example.com', '@.')).toEqual(['ada@', 'example.', 'com']);
    expect(splitAfter('usr-abc', '-')).toEqual(['usr-', 'abc']);
    expect(splitAfter('no-separator', '/')).toEqual(['no-separator']);
    expect(splitAfter('trailing/', '/')).toEqual(['trailing/']);
    expect(splitAfter('', '/')).toEqual(['']);
  });
});

describe('dateAndTime', () => {
  it('gives the date and the time of day apart, or a dash', () => {
    const iso = '2026-12-05T13:04:05Z';
    expect(dateAndTime(iso)).toEqual([new Date(iso).toLocaleDateString(), new Date(iso).toLocaleTimeString()]);
    expect(dateAndTime(null)).toEqual(['—']);
  });
});
