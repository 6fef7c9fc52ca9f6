export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  return span(Math.abs(seconds)) + (seconds < 0 ? ' from now' : ' ago');
}

export function until(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  return seconds <= 0 ? 'due' : 'in ' + span(seconds);
}

function span(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function bytes(n: number | null | undefined): string {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/**
 * An audit entry's outcome as shown: its status code once settled, else what it is (a call still
 * running, or one whose control plane stopped during it), and the status colour it is drawn in.
 */
export function auditOutcome(entry: { outcome: string; status: number | null }): { label: string; tone: string } {
  switch (entry.outcome) {
    case 'success':
      return { label: `success (${entry.status})`, tone: 'running' };
    case 'failure':
      return { label: `failure (${entry.status})`, tone: 'error' };
    case 'pending':
      return { label: 'pending', tone: 'pending' };
    case 'lost':
      return { label: 'lost', tone: 'unknown' };
    default:
      return { label: entry.outcome, tone: 'unknown' };
  }
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** The date and the time of day apart, in the reader's locale, so a narrow column can put them on two lines. */
export function dateAndTime(iso: string | null | undefined): string[] {
  if (!iso) return ['—'];
  const at = new Date(iso);
  return [at.toLocaleDateString(), at.toLocaleTimeString()];
}

/** `text` cut after each of the characters in `separators` (e.g. a route after each `/`), keeping every character. */
export function splitAfter(text: string, separators: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (separators.includes(text[i]) && i + 1 < text.length) {
      parts.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** "KEY=value" lines into an object; throws with the line number of a malformed one. */
export function parsePairs(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${what}, line ${i + 1}: write KEY=value`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  });
  return out;
}

/** Pauses a polling loop while the tab is hidden; runs it at once when it shows again. */
export function poll(task: () => Promise<void> | void, everyMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    clearTimeout(timer);
    if (stopped) return;
    if (!document.hidden) {
      try { await task(); } catch { /* the task shows its own errors */ }
    }
    if (!stopped) timer = setTimeout(run, everyMs);
  };
  const onVisible = () => { if (!document.hidden) run(); };
  document.addEventListener('visibilitychange', onVisible);
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

/** A command and its arguments as a shell would show them: an argument with spaces or quotes is quoted. */
export function commandLine(cmd: string, args: string[] = []): string {
  const quote = (s: string) => (s === '' || /[\s'"\\$`]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : s);
  return [cmd, ...args].map(quote).join(' ');
}
