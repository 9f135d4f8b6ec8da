package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/directory"
	"peerpress/internal/i18n"
)

// demoOrg is a fictional organisation of the demo directory: every name
// is invented, none is a real network's. Other is the second language its
// words are written in, besides English.
type demoOrg struct {
	slug, name, short, typ, membership, country string
	langs                                       []string
	year                                        int
	other                                       string
	// focal is true for a regional focal point of its sub-region.
	focal bool
}

// demoOrgs are some forty organisations across every region: global,
// regional and national networks, local groups, partners and donors. The
// first two co-author demo entries since the first demo.
var demoOrgs = []demoOrg{
	{"harbour-alliance", "Harbour Harm Reduction Alliance", "HHRA", "partner", "partner", "KE", []string{"en", "sw"}, 0, "fr", false},
	{"rights-coalition", "Coalition for Rights in Drug Policy", "CRDP", "partner", "partner", "CO", []string{"es", "en"}, 0, "es", false},
	{"lanternfish-global", "Lanternfish Global Peer Forum", "LGPF", "global", "member", "", []string{"en", "fr", "es", "ru"}, 2009, "fr", false},
	{"baobab-peers-east", "Baobab Peers East Africa", "BPEA", "regional", "member", "TZ", []string{"en", "sw"}, 2012, "fr", true},
	{"sahel-solidarity", "Sahel Solidarity Network of People Who Use Drugs", "SSN", "regional", "member", "SN", []string{"fr", "en"}, 2014, "fr", true},
	{"cedar-north-africa", "Cedar Peer Network of North Africa", "CPNA", "regional", "associate", "MA", []string{"ar", "fr"}, 2018, "ar", true},
	{"kilimanjaro-voices", "Kilimanjaro Voices", "", "national", "member", "TZ", []string{"sw", "en"}, 2015, "fr", false},
	{"lagos-peer-light", "Peer Light Nigeria", "PLN", "national", "member", "NG", []string{"en"}, 2013, "fr", false},
	{"cape-tide-collective", "Cape Tide Collective", "", "local", "member", "ZA", []string{"en"}, 2019, "fr", false},
	{"atlas-mutual-aid", "Atlas Mutual Aid Association", "AMAA", "national", "associate", "TN", []string{"ar", "fr"}, 2020, "ar", false},
	{"nile-harm-reduction", "Nile Harm Reduction Circle", "", "national", "former", "EG", []string{"ar", "en"}, 2011, "ar", false},
	{"andes-peer-network", "Andean Peer Network", "APN", "regional", "member", "PE", []string{"es", "en"}, 2010, "es", true},
	{"red-colibri", "Red Colibrí de Personas que Usan Drogas", "Colibrí", "national", "member", "MX", []string{"es"}, 2016, "es", false},
	{"caribbean-tidewater", "Tidewater Caribbean Peers", "TCP", "regional", "member", "JM", []string{"en", "es"}, 2017, "es", true},
	{"pampas-reduccion", "Pampas Reducción de Daños", "", "national", "associate", "AR", []string{"es"}, 2021, "es", false},
	{"great-lakes-users", "Great Lakes Users' Union", "GLUU", "national", "member", "CA", []string{"en", "fr"}, 2012, "fr", true},
	{"prairie-peers", "Prairie Peer Project", "", "local", "partner", "US", []string{"en", "es"}, 0, "es", false},
	{"steppe-peer-network", "Steppe Peer Network", "SPN", "regional", "member", "KZ", []string{"ru", "kk"}, 2011, "ru", true},
	{"tian-shan-circle", "Tian Shan Circle", "", "national", "member", "KG", []string{"ky", "ru"}, 2016, "ru", false},
	{"mekong-islands", "Mekong and Islands Peer Network", "MIPN", "regional", "member", "TH", []string{"th", "vi", "en"}, 2010, "fr", true},
	{"lotus-saigon", "Lotus Peers Saigon", "", "local", "member", "VN", []string{"vi"}, 2018, "fr", false},
	{"archipelago-voices", "Archipelago Voices", "AV", "national", "associate", "ID", []string{"id", "en"}, 2019, "fr", false},
	{"monsoon-network", "Monsoon Network of South Asia", "MNSA", "regional", "member", "IN", []string{"hi", "en", "ne", "bn"}, 2009, "hi", true},
	{"ganga-peer-trust", "Ganga Peer Trust", "", "national", "member", "IN", []string{"hi", "en"}, 2014, "hi", false},
	{"kathmandu-steps", "Kathmandu Steps", "", "local", "member", "NP", []string{"ne", "en"}, 2020, "hi", false},
	{"indus-harm-reduction", "Indus Harm Reduction Forum", "IHRF", "national", "associate", "PK", []string{"ur", "en"}, 2017, "hi", false},
	{"eastern-pearl", "Eastern Pearl Peer Society", "", "national", "partner", "MN", []string{"en"}, 0, "ru", true},
	{"levant-peers", "Levant Peers Forum", "LPF", "regional", "member", "LB", []string{"ar", "en", "fr"}, 2013, "ar", true},
	{"anatolia-bridge", "Anatolia Bridge Association", "", "national", "associate", "TR", []string{"tr", "en"}, 2021, "fr", false},
	{"dnipro-peers", "Dnipro Peers Union", "DPU", "national", "member", "UA", []string{"uk", "ru"}, 2010, "ru", false},
	{"black-sea-network", "Black Sea and Caucasus Network", "BSCN", "regional", "member", "GE", []string{"ka", "ru", "en"}, 2012, "ru", true},
	{"nordic-lighthouse", "Nordic Lighthouse Users' Network", "NLUN", "regional", "member", "NO", []string{"en"}, 2015, "fr", true},
	{"iberian-mutual", "Iberian Mutual Support Network", "IMSN", "national", "member", "PT", []string{"pt", "es"}, 2014, "es", true},
	{"rhine-users", "Rhine Users' Collective", "", "national", "former", "DE", []string{"de", "en"}, 2008, "fr", false},
	{"southern-cross-peers", "Southern Cross Peers", "SCP", "regional", "member", "AU", []string{"en"}, 2011, "fr", true},
	{"kiwi-harm-reduction", "Kōwhai Harm Reduction Collective", "", "national", "associate", "NZ", []string{"en"}, 2022, "fr", false},
	{"coral-sea-voices", "Coral Sea Voices", "", "local", "member", "FJ", []string{"en"}, 2023, "fr", true},
	{"open-hands-fund", "Open Hands Community Fund", "OHCF", "donor", "partner", "NL", []string{"en", "fr"}, 0, "fr", false},
	{"meridian-foundation", "Meridian Health Foundation", "", "donor", "partner", "CH", []string{"en", "fr", "es"}, 0, "fr", false},
	{"clearwater-legal", "Clearwater Legal Aid Partners", "CLAP", "partner", "partner", "GB", []string{"en"}, 0, "es", false},
	{"peer-research-lab", "Peer Research Lab", "", "other", "partner", "BE", []string{"en", "fr"}, 0, "fr", false},
}

// orgTemplates are the demo's descriptions and focal-point roles by type,
// in each language: {name}, {country} and {region} are filled in.
var orgTemplates = map[string]map[string]string{
	"en": {"global": "{name} brings together networks of people who use drugs on every continent.",
		"regional": "{name} is a regional network of people who use drugs in {region}, with members in several countries.",
		"national": "{name} is the national network of people who use drugs in {country}: peer outreach, legal support and advocacy.",
		"local":    "{name} is a local peer group in {country} running a drop-in space and needle and syringe distribution.",
		"partner":  "{name} works with the network on research, services and joint advocacy.",
		"donor":    "{name} funds community-led harm reduction and the network's regional work.",
		"other":    "{name} supports peer-led research and training.",
		"focal":    "Regional focal point for {region}"},
	"fr": {"global": "{name} rassemble des réseaux de personnes qui consomment des drogues sur tous les continents.",
		"regional": "{name} est un réseau régional de personnes qui consomment des drogues en {region}, présent dans plusieurs pays.",
		"national": "{name} est le réseau national des personnes qui consomment des drogues ({country}) : travail de proximité, soutien juridique, plaidoyer.",
		"local":    "{name} est un groupe local de pairs ({country}) qui tient un lieu d’accueil et distribue du matériel stérile.",
		"partner":  "{name} travaille avec le réseau sur la recherche, les services et le plaidoyer commun.",
		"donor":    "{name} finance la réduction des risques menée par les communautés et le travail régional du réseau.",
		"other":    "{name} soutient la recherche et la formation menées par les pairs.",
		"focal":    "Point focal régional : {region}"},
	"es": {"global": "{name} reúne redes de personas que usan drogas en todos los continentes.",
		"regional": "{name} es una red regional de personas que usan drogas en {region}, con miembros en varios países.",
		"national": "{name} es la red nacional de personas que usan drogas en {country}: trabajo de calle, apoyo legal e incidencia.",
		"local":    "{name} es un grupo local de pares en {country} con un espacio de acogida y distribución de jeringas.",
		"partner":  "{name} trabaja con la red en investigación, servicios e incidencia conjunta.",
		"donor":    "{name} financia la reducción de daños liderada por la comunidad y el trabajo regional de la red.",
		"other":    "{name} apoya la investigación y la formación lideradas por pares.",
		"focal":    "Punto focal regional para {region}"},
	"ru": {"global": "{name} объединяет сети людей, употребляющих наркотики, на всех континентах.",
		"regional": "{name} — региональная сеть людей, употребляющих наркотики ({region}), с участниками в нескольких странах.",
		"national": "{name} — национальная сеть людей, употребляющих наркотики ({country}): аутрич, юридическая помощь, адвокация.",
		"local":    "{name} — местная группа равных ({country}) с пунктом приёма и раздачей шприцев.",
		"partner":  "{name} работает с сетью над исследованиями, услугами и совместной адвокацией.",
		"donor":    "{name} финансирует снижение вреда силами сообществ и региональную работу сети.",
		"other":    "{name} поддерживает исследования и обучение силами равных.",
		"focal":    "Региональный координатор: {region}"},
	"ar": {"global": "تجمع {name} شبكات الأشخاص الذين يتعاطون المخدرات في كل القارات.",
		"regional": "{name} شبكة إقليمية للأشخاص الذين يتعاطون المخدرات في {region}، لها أعضاء في عدة بلدان.",
		"national": "{name} هي الشبكة الوطنية للأشخاص الذين يتعاطون المخدرات في {country}: عمل ميداني ودعم قانوني ومناصرة.",
		"local":    "{name} مجموعة أقران محلية في {country} تدير مساحة استقبال وتوزع الحقن المعقمة.",
		"partner":  "تعمل {name} مع الشبكة في البحث والخدمات والمناصرة المشتركة.",
		"donor":    "تموّل {name} الحد من الضرر بقيادة المجتمع والعمل الإقليمي للشبكة.",
		"other":    "تدعم {name} البحث والتدريب بقيادة الأقران.",
		"focal":    "نقطة الاتصال الإقليمية في {region}"},
	"hi": {"global": "{name} हर महाद्वीप पर नशीली दवाओं का उपयोग करने वाले लोगों के नेटवर्क को एक साथ लाता है।",
		"regional": "{name} {region} में नशीली दवाओं का उपयोग करने वाले लोगों का क्षेत्रीय नेटवर्क है, जिसके सदस्य कई देशों में हैं।",
		"national": "{name} {country} में नशीली दवाओं का उपयोग करने वाले लोगों का राष्ट्रीय नेटवर्क है: आउटरीच, कानूनी सहायता और पैरवी।",
		"local":    "{name} {country} में एक स्थानीय साथी समूह है जो ड्रॉप-इन केंद्र और सुई-सिरिंज वितरण चलाता है।",
		"partner":  "{name} शोध, सेवाओं और साझा पैरवी में नेटवर्क के साथ काम करता है।",
		"donor":    "{name} समुदाय के नेतृत्व में हानि न्यूनीकरण और नेटवर्क के क्षेत्रीय काम को धन देता है।",
		"other":    "{name} साथियों के नेतृत्व वाले शोध और प्रशिक्षण का समर्थन करता है।",
		"focal":    "{region} के लिए क्षेत्रीय फ़ोकल पॉइंट"},
}

// fillDirectory saves the demo's organisations with their words in
// English and their second language (where the demo is written in it),
// and returns their ids by slug for the entries they co-author.
func fillDirectory(ctx context.Context, d *db.DB, langs []string) (map[string]int64, error) {
	store := directory.NewStore(d, func() string { return langs[0] })
	bundle, err := i18n.New(langs)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, do := range demoOrgs {
		o := directory.Organisation{Slug: do.slug, Name: do.name, ShortName: do.short, Type: do.typ, Membership: do.membership,
			Country: do.country, Languages: do.langs, YearJoined: do.year, Texts: map[string]directory.Text{},
			Website: "https://" + strings.ReplaceAll(do.slug, "-", "") + ".example"}
		if do.slug == "harbour-alliance" || do.slug == "rights-coalition" {
			o.Website = map[string]string{"harbour-alliance": "https://example.org/harbour", "rights-coalition": "https://example.org/coalition"}[do.slug]
		}
		if do.membership == "member" && do.typ != "local" {
			o.Contact, o.ContactAgreed = "info@"+strings.ReplaceAll(do.slug, "-", "")+".example", true
		}
		for _, lang := range []string{"en", do.other} {
			if !slices.Contains(langs, lang) {
				continue
			}
			loc := bundle.Localizer(lang)
			fillIn := func(s string) string {
				region := ""
				if r := directory.SubRegionOf(do.country); r != nil {
					region = loc.T(r.Key)
				}
				country := ""
				if do.country != "" {
					country = i18n.CountryName(do.country, lang)
				}
				return strings.NewReplacer("{name}", do.name, "{country}", country, "{region}", region).Replace(s)
			}
			t := directory.Text{Description: fillIn(orgTemplates[lang][do.typ])}
			if do.focal {
				t.FocalRoles = fillIn(orgTemplates[lang]["focal"])
			}
			o.Texts[lang] = t
		}
		id, err := store.Save(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("demo: organisation %s: %w", do.slug, err)
		}
		ids[do.slug] = id
	}
	return ids, nil
}

// demoApplications wait for staff in the demo: organisations that asked
// to join, one written in French, one in Spanish.
var demoApplications = []directory.SeedApplication{
	{Profile: directory.Organisation{Name: "Saltmarsh Peer Outreach", ShortName: "SPO", Type: "local", Country: "GH", Languages: []string{"en"},
		Website: "https://saltmarsh-outreach.example", Texts: map[string]directory.Text{"en": {Description: "A peer-run outreach team on the coast: night walks, naloxone and a weekly clinic day."}}},
		Contact: directory.Contact{Name: "Kojo Asante", Email: "kojo@saltmarsh-outreach.example"}, Lang: "en", Age: 3 * 24 * time.Hour},
	{Profile: directory.Organisation{Name: "Réseau Pairs du Fleuve", Type: "national", Country: "CD", Languages: []string{"fr", "sw"},
		Texts: map[string]directory.Text{"fr": {Description: "Un réseau national de pairs qui défend l’accès à la réduction des risques le long du fleuve."}}},
		Contact: directory.Contact{Name: "Aline Mbuyi", Email: "aline@pairsdufleuve.example"}, Lang: "fr", Age: 26 * time.Hour},
	{Profile: directory.Organisation{Name: "Colectivo Brújula", Type: "local", Country: "UY", Languages: []string{"es"},
		Website: "https://brujula.example", Texts: map[string]directory.Text{"es": {Description: "Un colectivo de pares que acompaña a personas que usan drogas en Montevideo."}}},
		Contact: directory.Contact{Name: "Matías Pereira", Email: "matias@brujula.example"}, Lang: "es", Age: 5 * time.Hour},
}

// fillApplications enqueues the demo's waiting applications: the server
// seals their contacts, with keys the loader does not hold.
func fillApplications(ctx context.Context, d *db.DB, langs []string) error {
	var apps []directory.SeedApplication
	for _, app := range demoApplications {
		if slices.Contains(langs, app.Lang) {
			apps = append(apps, app)
		}
	}
	if len(apps) == 0 {
		return nil
	}
	return d.InTx(ctx, func(tx *db.Tx) error { return directory.EnqueueSeed(ctx, tx, apps) })
}
