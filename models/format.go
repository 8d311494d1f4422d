package models

import (
	"fmt"
	"strconv"
)

// FormatReason says why a text is not an accepted amount, decimal or share.
type FormatReason int

// Reasons a number is refused.
const (
	ReasonEmpty           FormatReason = iota + 1
	ReasonNegative                     // money and rates are never negative
	ReasonNotDecimal                   // not plain decimal notation: "1e3", "¥1", ".5"
	ReasonTooManyDecimals              // more decimals than the kind takes (FormatError.MaxScale)
	ReasonTooLarge                     // more digits than an exact int64 holds
	ReasonAboveMaxMoney                // above MaxMoney
	ReasonAbove100                     // a share above 100
)

// FormatError says why a text is not an accepted amount (Kind "amount") or
// decimal (Kind "decimal", shares included).
type FormatError struct {
	Kind     string
	Text     string
	Reason   FormatReason
	MaxScale int // the most decimals accepted
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Kind, e.Text, e.Why().En)
}

// Why says the reason in both languages.
func (e *FormatError) Why() Text {
	switch e.Reason {
	case ReasonEmpty:
		return Text{Zh: "为空", En: "empty"}
	case ReasonNegative:
		return Text{Zh: "不能为负数", En: "negative"}
	case ReasonNotDecimal:
		return Text{Zh: "不是普通的十进制数", En: "not a plain decimal number"}
	case ReasonTooManyDecimals:
		n := strconv.Itoa(e.MaxScale)
		return Text{Zh: "小数位数超过" + n + "位", En: "more than " + n + " decimals"}
	case ReasonTooLarge:
		return Text{Zh: "数值过大", En: "too large"}
	case ReasonAboveMaxMoney:
		return Text{Zh: "超过可接受的最大金额 " + MaxMoney.String(), En: "above the largest accepted amount " + MaxMoney.String()}
	case ReasonAbove100:
		return Text{Zh: "超过100", En: "above 100"}
	}
	return Text{Zh: "取值无效", En: "invalid"}
}
