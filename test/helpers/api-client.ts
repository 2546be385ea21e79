import { readFile } from 'node:fs/promises';
import path from 'node:path';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: { code?: string; message?: string } } | undefined,
  ) {
    super(`HTTP ${status}: ${body?.error?.code} ${body?.error?.message}`);
  }
}

/** A small client for the centre's HTTP API, as an operator's tool would use it. */
export class ApiClient {
  token: string | null = null;
  constructor(readonly baseUrl: string) {}

  async raw(
    method: string,
    p: string,
    init: { body?: RequestInit['body']; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return fetch(this.baseUrl + p, { method, body: init.body, headers });
  }

  async call<T = Record<string, unknown>>(method: string, p: string, json?: unknown): Promise<T> {
    const res = await this.raw(
      method,
      p,
      json === undefined
        ? {}
        : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } },
    );
    const body = (await res.json().catch(() => undefined)) as T & {
      error?: { code?: string; message?: string };
    };
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.call<{ token: string }>('POST', '/api/auth/login', { username, password });
    this.token = r.token;
  }

  async upload(
    file: string,
    name = path.basename(file),
  ): Promise<{ media: { sha256: string; durationMs: number; bytes: number } }> {
    const form = new FormData();
    form.append('file', new Blob([await readFile(file)]), name);
    const res = await this.raw('POST', '/api/media', { body: form });
    const body = (await res.json().catch(() => undefined)) as {
      media: { sha256: string; durationMs: number; bytes: number };
    };
    if (!res.ok) throw new ApiError(res.status, body as never);
    return body;
  }
}
