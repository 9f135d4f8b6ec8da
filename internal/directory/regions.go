package directory

import (
	"golang.org/x/text/language"
)

// Region is a region or sub-region of the UN M49 standard: its numeric
// code (the filter's value) and the message key of its name.
type Region struct {
	Code string // "419"
	Key  string // "directory.region.419"
	// Parent is the region a sub-region is in ("" for a region).
	Parent string
}

// Regions are the M49 regions and, after each, its sub-regions: the
// directory's filter and the heading of each organisation's place.
// Which country is in which comes from CLDR's copy of M49 (x/text).
var Regions = []Region{
	{Code: "002", Key: "directory.region.002"},
	{Code: "015", Key: "directory.region.015", Parent: "002"},
	{Code: "202", Key: "directory.region.202", Parent: "002"},
	{Code: "019", Key: "directory.region.019"},
	{Code: "419", Key: "directory.region.419", Parent: "019"},
	{Code: "021", Key: "directory.region.021", Parent: "019"},
	{Code: "142", Key: "directory.region.142"},
	{Code: "143", Key: "directory.region.143", Parent: "142"},
	{Code: "030", Key: "directory.region.030", Parent: "142"},
	{Code: "035", Key: "directory.region.035", Parent: "142"},
	{Code: "034", Key: "directory.region.034", Parent: "142"},
	{Code: "145", Key: "directory.region.145", Parent: "142"},
	{Code: "150", Key: "directory.region.150"},
	{Code: "151", Key: "directory.region.151", Parent: "150"},
	{Code: "154", Key: "directory.region.154", Parent: "150"},
	{Code: "039", Key: "directory.region.039", Parent: "150"},
	{Code: "155", Key: "directory.region.155", Parent: "150"},
	{Code: "009", Key: "directory.region.009"},
	{Code: "053", Key: "directory.region.053", Parent: "009"},
	{Code: "054", Key: "directory.region.054", Parent: "009"},
	{Code: "057", Key: "directory.region.057", Parent: "009"},
	{Code: "061", Key: "directory.region.061", Parent: "009"},
}

// RegionByCode finds a region or sub-region by its M49 code.
func RegionByCode(code string) (Region, bool) {
	for _, r := range Regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// Contains reports whether the ISO 3166 country is in the region: in
// the sub-region itself, or in one of a region's sub-regions (CLDR's
// containment is one level deep).
func (r Region) Contains(country string) bool {
	if country == "" {
		return false
	}
	if r.Parent == "" {
		for _, sub := range Regions {
			if sub.Parent == r.Code && sub.Contains(country) {
				return true
			}
		}
		return false
	}
	c, err := language.ParseRegion(country)
	if err != nil {
		return false
	}
	m, err := language.ParseRegion(r.Code)
	if err != nil {
		return false
	}
	return m.Contains(c)
}

// SubRegionOf is the sub-region the country is in, or nil for no country
// or one M49 places in none of Regions (Antarctica).
func SubRegionOf(country string) *Region {
	for i, r := range Regions {
		if r.Parent != "" && r.Contains(country) {
			return &Regions[i]
		}
	}
	return nil
}
