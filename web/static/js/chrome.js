// The switches every page has: English, and 长辈版 (larger text). Both are
// preferences of this browser, kept in localStorage (never a key).
import { lang, setLang, applyLabels, onLangChange } from './i18n.js';
import { relabelCounties } from './format.js';

const ELDER = 'subsidy.elder';

export function setupChrome() {
  const langButton = document.getElementById('lang-switch');
  const elderButton = document.getElementById('elder-switch');
  const showLang = () => {
    const en = lang() === 'en';
    langButton.textContent = en ? '中文' : 'English';
    langButton.lang = en ? 'zh-CN' : 'en';
    relabelCounties(document);
  };
  langButton.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
  onLangChange(showLang);

  const showElder = (on) => {
    document.documentElement.classList.toggle('elder', on);
    elderButton.setAttribute('aria-pressed', String(on));
  };
  elderButton.addEventListener('click', () => {
    const on = !document.documentElement.classList.contains('elder');
    localStorage.setItem(ELDER, on ? '1' : '');
    showElder(on);
  });
  showElder(localStorage.getItem(ELDER) === '1');
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  if (lang() === 'en') applyLabels();
  showLang();
}
