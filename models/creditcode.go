package models

// 统一社会信用代码 (GB 32100-2015): 18 characters from this set, the last a
// check character over the first 17.
const creditCodeCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCodeValue maps a character of the set to its value, −1 otherwise.
var creditCodeValue = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(creditCodeCharset); i++ {
		v[creditCodeCharset[i]] = int8(i)
	}
	return v
}()

// CreditCodeProblem says what is wrong with a unified social credit code, or
// returns "" when the code is well formed and its check character is right.
func CreditCodeProblem(code string) string {
	if len(code) != 18 {
		return "length"
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := creditCodeValue[code[i]]
		if v < 0 {
			return "charset"
		}
		if i < 17 {
			sum += int(v) * creditCodeWeights[i]
		}
	}
	if creditCodeCharset[(31-sum%31)%31] != code[17] {
		return "check"
	}
	return ""
}

// ValidCreditCode reports whether code is a well-formed unified social credit
// code with the right GB 32100-2015 check character.
func ValidCreditCode(code string) bool { return CreditCodeProblem(code) == "" }

// CreditCodeCheckChar returns the check character for the first 17
// characters of a code, for building valid codes in fixtures and generators.
func CreditCodeCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := creditCodeValue[first17[i]]
		if v < 0 {
			return 0, false
		}
		sum += int(v) * creditCodeWeights[i]
	}
	return creditCodeCharset[(31-sum%31)%31], true
}
