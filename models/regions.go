package models

// Wenzhou's county-level divisions and their finance bureaus, the payers of
// the certification grant (当地财政). The city finance bureau (市财政) pays the
// donation match, and the grant of an enterprise registered under a Wenzhou
// code not in this table (a functional zone, or the city code itself).
var (
	CityFinanceBureau = Payer{Code: "330300", Name: "温州市财政局"}

	countyFinanceBureaus = map[string]string{
		"330302": "鹿城区财政局",
		"330303": "龙湾区财政局",
		"330304": "瓯海区财政局",
		"330305": "洞头区财政局",
		"330324": "永嘉县财政局",
		"330326": "平阳县财政局",
		"330327": "苍南县财政局",
		"330328": "文成县财政局",
		"330329": "泰顺县财政局",
		"330381": "瑞安市财政局",
		"330382": "乐清市财政局",
		"330383": "龙港市财政局",
	}
)

// CountyCodes lists Wenzhou's twelve county-level division codes.
var CountyCodes = []string{"330302", "330303", "330304", "330305", "330324", "330326", "330327", "330328", "330329", "330381", "330382", "330383"}

// LocalFinanceBureau returns the finance bureau of an enterprise's region.
func LocalFinanceBureau(region string) Payer {
	if name, ok := countyFinanceBureaus[region]; ok {
		return Payer{Code: region, Name: name}
	}
	return CityFinanceBureau
}
