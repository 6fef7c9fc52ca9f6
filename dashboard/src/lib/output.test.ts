import { describe, expect, it } from 'vitest';
import { fromBase64, OutputTail, plain } from './output';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('plain', () => {
  it('removes colours, cursor moves, titles and control characters', () => {
    expect(plain('\x1b[1;32mok\x1b[0m done\r\n')).toBe('ok done\n');
    expect(plain('\x1b]0;user@sb: ~\x07$ ls\x1b[K\r\n')).toBe('$ ls\n');
    expect(plain('a\x1b(Bb\x1b=c\x07d\x08e\tf')).toBe('abcde\tf');
    expect(plain('progress\r50%\r100%\n')).toBe('progress50%100%\n');
  });
});

describe('fromBase64', () => {
  it('decodes bytes, not text', () => {
    expect(Array.from(fromBase64('AP8K'))).toEqual([0, 255, 10]);
  });
});

describe('OutputTail', () => {
  it('decodes a character split across chunks', () => {
    const tail = new OutputTail();
    const euro = bytes('price: €5\n');
    tail.push(euro.slice(0, 9));
    tail.push(euro.slice(9));
    expect(tail.text).toBe('price: €5\n');
    expect(tail.truncated).toBe(false);
  });

  it('keeps the last lines within its limit, from a line start', () => {
    const tail = new OutputTail(20);
    tail.push(bytes('line one\nline two\nline three\n'));
    expect(tail.text).toBe('line three\n');
    expect(tail.truncated).toBe(true);
  });

  it('cuts within a line too long for its limit', () => {
    const tail = new OutputTail(10);
    tail.push(bytes('x'.repeat(25)));
    expect(tail.text).toBe('x'.repeat(10));
  });
});
