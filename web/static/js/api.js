// Calling the REST API: JSON in and out, the page's language, and errors as
// the API's problem documents (RFC 9457).
import { acceptLanguage, t } from './i18n.js';

// ApiError is a refused or failed call: status and the problem document.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// call sends one request. body: an object (sent as JSON), or a Blob or
// string sent as it is with the given Content-Type. raw: return the
// Response itself (a CSV download).
export async function call(method, path, { body, headers = {}, key, raw = false, contentType } = {}) {
  const h = { 'Accept-Language': acceptLanguage(), ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  let payload;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
    h['Content-Type'] = contentType || 'text/plain; charset=utf-8';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers: h, body: payload, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ApiError(0, { title: t('error.network'), detail: t('error.network'), errors: [] });
  }
  if (!resp.ok) {
    let problem;
    try {
      problem = await resp.json();
    } catch {
      problem = { title: `HTTP ${resp.status}`, detail: t('error.http', resp.status), errors: [] };
    }
    problem.errors ||= [];
    throw new ApiError(resp.status, problem);
  }
  if (raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

// idempotencyKey makes a fresh Idempotency-Key. crypto.getRandomValues,
// unlike randomUUID, works on plain http too (the intranet).
export function idempotencyKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

// requestKeys gives a form's Idempotency-Keys: the same key while the
// request is the same, so that a retry after a lost answer replays the
// first; a new one once the request changes, since the API keeps even a
// refusal's answer under its key. done() forgets it after a success.
export function requestKeys() {
  let sent = null;
  let key = '';
  return {
    for(body) {
      const fingerprint = JSON.stringify(body ?? null);
      if (fingerprint !== sent) {
        sent = fingerprint;
        key = idempotencyKey();
      }
      return key;
    },
    done() { sent = null; },
  };
}
