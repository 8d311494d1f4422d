// The signed-in key: kept for this tab's session only (sessionStorage,
// never localStorage, a URL or a cookie), sent as a Bearer header, and
// forgotten on signing out.
import { call } from '../api.js';

const KEY = 'subsidy.console.key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

const signedOut = new Set();

// onSignedOut is told when the API refuses the key (401): revoked, say.
export function onSignedOut(fn) { signedOut.add(fn); }

// api calls the API with the session's key.
export async function api(method, path, opts = {}) {
  try {
    return await call(method, path, { ...opts, key: session.key() });
  } catch (e) {
    if (e.status === 401) for (const fn of signedOut) fn(e);
    throw e;
  }
}

// all reads every page of a list (…?limit=1000, then after=next_after).
export async function all(path, field, { limit = 1000, max = 100000 } = {}) {
  const out = [];
  let after = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${sep}limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    out.push(...page[field]);
    if (!page.next_after || out.length >= max) return out;
    after = String(page.next_after);
  }
}
