// 工作台: sign in with an API key, learn its role (GET /v1/whoami), offer
// the role's menu, and render the page the URL's hash names (#/payouts).
// Each page is a module of pages/ with a render(ctx) function.
import { h, replace } from '../dom.js';
import { t, onLangChange } from '../i18n.js';
import { setupChrome } from '../chrome.js';
import { ApiError } from '../api.js';
import { markField } from '../fields.js';
import { session, api, onSignedOut } from './session.js';
import { match, allowed, menuOf } from './nav.js';

const $ = (id) => document.getElementById(id);
let me = null;
let current = null; // the page on screen: {leave}

function showSignIn(message) {
  me = null;
  leavePage();
  $('menu').hidden = true;
  $('whoami').hidden = true;
  $('signout').hidden = true;
  replace($('page'));
  $('signin').hidden = false;
  $('signin-note').textContent = message || '';
  $('signin-note').hidden = !message;
  document.title = `${t('signin.title')} · ${t('console.title')}`;
}

function signOut(message) {
  session.clear();
  showSignIn(message);
  if (location.hash) history.replaceState(null, '', location.pathname);
  $('signin-key').focus();
}

function renderMenu() {
  const path = location.hash.slice(1).split('?')[0];
  const found = match(path);
  const active = found && (found.page.under || found.page.id);
  replace($('menu'), h('ul', null, menuOf(me.role).map((p) => h('li', null,
    h('a', { href: `#${p.path}`, 'aria-current': p.id === active ? 'page' : null }, t(p.label))))));
}

function showWhoami() {
  const who = [t(`role.${me.role}`), me.subject, me.label].filter(Boolean).join(' · ');
  $('whoami').textContent = `${t('console.signed_in_as')}${who}`;
}

async function signedIn(who) {
  me = who;
  $('signin').hidden = true;
  $('menu').hidden = false;
  $('whoami').hidden = false;
  $('signout').hidden = false;
  showWhoami();
  await route();
}

function leavePage() {
  if (current) current.leave();
  current = null;
}

// route renders the page of the hash, or the role's first page.
async function route() {
  if (!me) return;
  const [path, query] = location.hash.slice(1).split('?');
  const found = match(path || '');
  if (!found || !allowed(me.role, found.page)) {
    location.replace(`#${menuOf(me.role)[0].path}`);
    return;
  }
  leavePage();
  renderMenu();
  const leaving = [];
  const page = { leave: () => { page.gone = true; leaving.forEach((fn) => fn()); }, gone: false };
  current = page;
  const root = h('div', { class: 'page' });
  replace($('page'), root);
  const ctx = {
    root, me, api, params: found.params, query: new URLSearchParams(query || ''),
    alive: () => !page.gone,
    onLeave: (fn) => leaving.push(fn),
    go: (hash) => { location.hash = hash; },
    title: (text) => { document.title = `${text} · ${t('console.title')}`; },
  };
  try {
    const mod = await import(found.page.module);
    if (page.gone) return;
    await mod.render(ctx);
    if (page.gone) return;
    root.dataset.rendered = found.page.id;
    root.querySelector('h1')?.setAttribute('tabindex', '-1');
    root.querySelector('h1')?.focus();
  } catch (e) {
    if (page.gone) return;
    if (e instanceof ApiError) {
      replace(root, h('h1', null, t('error.title')), h('p', { class: 'notice bad', role: 'alert' }, e.message));
      return;
    }
    throw e;
  } finally {
    document.body.dataset.ready = 'true';
  }
}

async function start() {
  setupChrome();
  onSignedOut(() => signOut(t('signin.expired')));
  $('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('signin-key');
    const key = input.value.trim();
    if (!key) {
      markField(input, t('signin.empty'));
      input.focus();
      return;
    }
    session.set(key);
    try {
      const who = await api('GET', '/v1/whoami');
      input.value = '';
      markField(input, '');
      $('signin-note').hidden = true;
      await signedIn(who);
    } catch (e) {
      session.clear();
      markField(input, e instanceof ApiError && e.status === 401 ? t('signin.refused') : e.message);
      input.focus();
    }
  });
  $('signout').addEventListener('click', () => signOut(t('signin.signed_out')));
  window.addEventListener('hashchange', route);
  onLangChange(() => { if (me) { showWhoami(); route(); } });
  if (session.key()) {
    try {
      await signedIn(await api('GET', '/v1/whoami'));
      return;
    } catch {
      session.clear();
    }
  }
  showSignIn();
  document.body.dataset.ready = 'true';
}

start();
