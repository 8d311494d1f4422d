package models

// County is one of Wenzhou's county-level divisions, or the city itself
// (市本级), with its name in both languages.
type County struct {
	Code string `json:"code"`
	Name Text   `json:"name"`
}

// CityLevel is the city itself (市本级): the division of an enterprise
// registered with the city and of the city finance bureau.
var CityLevel = County{Code: "330300", Name: Text{Zh: "市本级", En: "Wenzhou (city level)"}}

// Counties lists Wenzhou's twelve county-level divisions in code order.
var Counties = []County{
	{"330302", Text{Zh: "鹿城区", En: "Lucheng District"}},
	{"330303", Text{Zh: "龙湾区", En: "Longwan District"}},
	{"330304", Text{Zh: "瓯海区", En: "Ouhai District"}},
	{"330305", Text{Zh: "洞头区", En: "Dongtou District"}},
	{"330324", Text{Zh: "永嘉县", En: "Yongjia County"}},
	{"330326", Text{Zh: "平阳县", En: "Pingyang County"}},
	{"330327", Text{Zh: "苍南县", En: "Cangnan County"}},
	{"330328", Text{Zh: "文成县", En: "Wencheng County"}},
	{"330329", Text{Zh: "泰顺县", En: "Taishun County"}},
	{"330381", Text{Zh: "瑞安市", En: "Rui'an City"}},
	{"330382", Text{Zh: "乐清市", En: "Yueqing City"}},
	{"330383", Text{Zh: "龙港市", En: "Longgang City"}},
}

// CountyByName finds one of the twelve counties by its Chinese name
// (乐清市 → 330382).
func CountyByName(name string) (County, bool) {
	for _, c := range Counties {
		if c.Name.Zh == name {
			return c, true
		}
	}
	return County{}, false
}

// The finance bureaus are the payers of the certification grant (当地财政):
// a county's own, named after it. The city finance bureau (市财政) pays the
// donation match, and the grant of an enterprise registered under a Wenzhou
// code not in Counties (a functional zone, or the city code itself).
var CityFinanceBureau = Payer{Code: CityLevel.Code, Name: "温州市财政局"}

// LocalFinanceBureau returns the finance bureau of an enterprise's region.
func LocalFinanceBureau(region string) Payer {
	for _, c := range Counties {
		if c.Code == region {
			return Payer{Code: region, Name: c.Name.Zh + "财政局"}
		}
	}
	return CityFinanceBureau
}
