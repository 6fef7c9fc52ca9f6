import { auth, expire } from './session.svelte';

/** An error answer of the API: its `{code, message}` body and HTTP status. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { ...extra };
  if (auth.session) h['Authorization'] = `Bearer ${auth.session.token}`;
  return h;
}

async function failure(response: Response): Promise<ApiError> {
  let code = 'http_' + response.status;
  let message = response.statusText || `request failed (${response.status})`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') {
      code = String(body.code ?? code);
      message = body.message;
    }
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401 && auth.session) expire();
  return new ApiError(response.status, code, message);
}

/** Calls the API with the session's token; JSON in and out; throws ApiError on a 4xx/5xx. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Wrenn cannot be reached: check your connection.');
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const del = (path: string) => api<void>('DELETE', path);

/**
 * Every item of a paged list (`{<key>: [...], next_cursor}`), following `next_cursor` page by page
 * (200 a page, at most 50 pages: a list longer than that is not read into a table anyway).
 */
export async function getAll<T>(path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const params = new URLSearchParams({ limit: '200' });
    if (cursor) params.set('cursor', cursor);
    const body = await get<Record<string, unknown>>(`${path}${path.includes('?') ? '&' : '?'}${params}`);
    items.push(...((body[key] as T[]) ?? []));
    cursor = (body.next_cursor as string | null) ?? null;
    if (!cursor) break;
  }
  return items;
}

/** A file's bytes, for download or preview. */
export async function getBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  return response.blob();
}

/** A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload(path: string, files: File[], onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of files) form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted'));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let code = 'http_' + xhr.status;
      let message = `upload failed (${xhr.status})`;
      try {
        const body = JSON.parse(xhr.responseText);
        code = body.code ?? code;
        message = body.message ?? message;
      } catch { /* keep the status */ }
      if (xhr.status === 401) expire();
      reject(new ApiError(xhr.status, code, message));
    };
    xhr.send(form);
  });
}

/**
 * Reads a server-sent event stream with the session's token (EventSource cannot send headers).
 * Calls onEvent per event until the stream ends or `signal` aborts it.
 */
export async function streamEvents(path: string, signal: AbortSignal,
                                   onEvent: (event: string, data: string) => void): Promise<void> {
  const response = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal });
  if (!response.ok || !response.body) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(event, data.join('\n'));
    }
  }
}

/**
 * Opens a sandbox's process socket (`/v1/sandboxes/{id}/processes/stream`) with a single-use
 * token from `POST /v1/sandboxes/{id}/ws-token`: a browser cannot set headers on a WebSocket.
 */
export async function processSocket(sandboxId: string): Promise<WebSocket> {
  const { url_path } = await post<{ url_path: string }>(`/v1/sandboxes/${sandboxId}/ws-token`);
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocket(`${scheme}//${location.host}${url_path}`);
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
