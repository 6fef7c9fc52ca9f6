// A process's output as text for a page: the bytes the process socket sends (base64), decoded as
// UTF-8 across chunk boundaries, the last `limit` characters kept, terminal escapes removed.

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes (ESC =, ESC (B, …).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]/g;
// Other control characters but tab and newline (a lone carriage return, a bell, a backspace).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Text written for a terminal, made plain: escape sequences and control characters removed, CRLF as LF. */
export function plain(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r\n/g, '\n').replace(CONTROLS, '');
}

/** The end of a stream of output chunks, at most `limit` characters, cut at a line's start. */
export class OutputTail {
  private decoder = new TextDecoder();
  private raw = '';
  truncated = false;

  constructor(private readonly limit = 256 * 1024) {}

  push(chunk: Uint8Array): void {
    this.raw += this.decoder.decode(chunk, { stream: true });
    if (this.raw.length > this.limit) {
      const cut = this.raw.length - this.limit;
      const line = this.raw.indexOf('\n', cut);
      this.raw = this.raw.slice(line >= 0 && line - cut < 4096 ? line + 1 : cut);
      this.truncated = true;
    }
  }

  get text(): string {
    return plain(this.raw);
  }
}
