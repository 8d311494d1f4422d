// 统一社会信用代码 (GB 32100-2015): 18 characters of this set, the last a
// check character over the first 17. The page checks it as it is typed;
// the API checks it again.
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// creditCodeProblem says what is wrong with code: '' when it is right,
// otherwise 'length', 'charset' or 'check' (the API's reason codes).
export function creditCodeProblem(code) {
  for (const ch of code) if (!CHARSET.includes(ch)) return 'charset';
  if (code.length !== 18) return 'length';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(code[i]) * WEIGHTS[i];
  return CHARSET[(31 - (sum % 31)) % 31] === code[17] ? '' : 'check';
}
