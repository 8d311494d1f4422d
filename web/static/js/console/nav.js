// The console's pages and each role's menu. A page is a hash path, the
// module that renders it and its label; a role's menu lists the pages it
// offers, in order. A page not in a role's menu may still be opened from a
// page that is (under: the menu entry it belongs to). The API decides what
// a key may do; the menu only offers what it may. match takes the first
// page whose path fits: …/new comes before …/:id.
const pages = [
  { id: 'overview', path: '/overview', module: './pages/overview.js', label: 'nav.overview' },
  { id: 'runs', path: '/runs', module: './pages/runs.js', label: 'nav.runs' },
  { id: 'run', path: '/runs/:id', module: './pages/runs.js', under: 'runs' },
  { id: 'payouts', path: '/payouts', module: './pages/payouts.js', label: 'nav.payouts' },
  { id: 'payout', path: '/payouts/:id', module: './pages/payout.js', under: 'payouts' },
  { id: 'applications', path: '/applications', module: './pages/review.js', label: 'nav.applications' },
  { id: 'application', path: '/applications/:id', module: './pages/review.js', under: 'applications' },
  { id: 'budgets', path: '/budgets', module: './pages/budgets.js', label: 'nav.budgets' },
  { id: 'forecast', path: '/forecast', module: './pages/forecast.js', label: 'nav.forecast' },
  { id: 'registry', path: '/registry', module: './pages/registry.js', label: 'nav.registry' },
  { id: 'enterprise', path: '/enterprises/:code', module: './pages/enterprise.js', under: 'registry' },
  { id: 'university', path: '/universities/:code', module: './pages/university.js', under: 'registry' },
  { id: 'import', path: '/import', module: './pages/import.js', label: 'nav.import' },
  { id: 'credit', path: '/credit', module: './pages/credit.js', label: 'nav.credit' },
  { id: 'credit-of', path: '/credit/:code', module: './pages/credit.js', under: 'credit' },
  { id: 'keys', path: '/keys', module: './pages/keys.js', label: 'nav.keys' },
  { id: 'audit', path: '/audit', module: './pages/audit.js', label: 'nav.audit' },
  { id: 'mine', path: '/mine', module: './pages/mine.js', label: 'nav.mine' },
  { id: 'my-ledger', path: '/mine/ledger', module: './pages/mine.js', label: 'nav.my_ledger' },
  { id: 'my-applications', path: '/mine/applications', module: './pages/apply.js', label: 'nav.my_applications' },
  { id: 'my-application-new', path: '/mine/applications/new', module: './pages/apply.js', under: 'my-applications' },
  { id: 'my-application', path: '/mine/applications/:id', module: './pages/apply.js', under: 'my-applications' },
];

const financeMenu = ['overview', 'runs', 'payouts', 'applications', 'budgets', 'forecast', 'registry', 'import'];

const menus = {
  finance: financeMenu,
  tax: ['credit'],
  admin: ['keys', 'audit', ...financeMenu, 'credit'],
  enterprise: ['mine', 'my-ledger', 'payouts', 'my-applications'],
  university: ['mine', 'payouts', 'my-applications'],
};

// match finds the page of a hash path and its parameters.
export function match(path) {
  for (const p of pages) {
    const names = [];
    const re = new RegExp(`^${p.path.replace(/:([a-z]+)/g, (_, n) => { names.push(n); return '([^/]+)'; })}$`);
    const m = re.exec(path);
    if (m) return { page: p, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

// allowed reports whether role's menu offers page (or the entry it is under).
export function allowed(role, page) {
  const menu = menus[role] || [];
  return menu.includes(page.id) || (page.under && menu.includes(page.under));
}

// menuOf lists the pages of role's menu.
export function menuOf(role) {
  return (menus[role] || []).map((id) => pages.find((p) => p.id === id));
}
