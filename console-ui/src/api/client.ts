/**
 * The centre's HTTP API as the console uses it: the session cookie (HttpOnly, set at login) for every call,
 * plus the CSRF token returned at login on every change. Errors are the API's `{error:{code,message}}`.
 */
import { t } from '../i18n/index.ts';

const CSRF_KEY = 'dlb.csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function setCsrf(token: string | null): void {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

const csrf = () => sessionStorage.getItem(CSRF_KEY);
export const hasCsrf = () => csrf() !== null;

/** Listeners told when a call finds the session gone (401), so the shell can show the login page. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(l: () => void): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? `http_${res.status}`;
  const message =
    body?.error?.message ??
    (res.status === 404
      ? t.errors.notFound
      : res.status >= 500
        ? t.errors.server
        : t.errors.http(res.status));
  return new ApiError(res.status, code, message);
}

function headers(method: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  const token = csrf();
  if (method !== 'GET' && token) h['x-csrf-token'] = token;
  return h;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: headers(method, body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', t.errors.network);
  }
  if (!res.ok) {
    const e = await errorOf(res);
    if (res.status === 401 && path !== '/api/auth/login') for (const l of unauthorizedListeners) l();
    throw e;
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/**
 * Uploads a file as multipart (field `file`) with progress, through XMLHttpRequest (fetch has no upload
 * progress). `onProgress` gets 0..1 for the bytes sent; the server then probes and renders the audio.
 */
export function uploadWithProgress<T>(
  path: string,
  file: Blob,
  name: string,
  onProgress: (fraction: number) => void,
): { promise: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headers('POST'))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', t.errors.network));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', t.errors.aborted));
    xhr.onload = () => {
      let body: { error?: { code?: string; message?: string } } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else
        reject(
          new ApiError(
            xhr.status,
            body?.error?.code ?? `http_${xhr.status}`,
            body?.error?.message ?? (xhr.status === 413 ? t.errors.tooLarge : t.errors.http(xhr.status)),
          ),
        );
    };
    const form = new FormData();
    form.append('file', file, name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** A Chinese message for anything thrown by a call. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
