package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"peerpress/internal/db"
	"peerpress/internal/letter"
)

// letterSlug is the demo statement opened for signatures.
const letterSlug = "joint-statement-hepatitis-c-cure-not-a-luxury"

// signatories are invented organisations and people of many countries who
// signed the demo's open letter.
var signatories = []struct{ kind, name, orgType, country, website string }{
	{"organisation", "Lakeside Peer Support Collective", "community", "UG", "https://lakeside-peers.example"},
	{"organisation", "Red Andina de Personas que Usan Drogas", "network", "PE", ""},
	{"organisation", "Harbour Harm Reduction Alliance", "ngo", "KE", "https://example.org/harbour"},
	{"organisation", "Coalition for Rights in Drug Policy", "network", "CO", "https://example.org/coalition"},
	{"organisation", "Northern Lights Outreach", "service", "NO", ""},
	{"organisation", "Mekong Community Health Monitors", "community", "VN", "https://mekong-monitors.example"},
	{"organisation", "Association Santé et Dignité", "ngo", "SN", ""},
	{"organisation", "Collectif Entre Pairs", "community", "FR", "https://entrepairs.example"},
	{"organisation", "Сеть «Равные равным»", "network", "KZ", ""},
	{"organisation", "Фонд «Открытая дверь»", "ngo", "MD", ""},
	{"organisation", "Kathmandu Recovering Users Forum", "community", "NP", ""},
	{"organisation", "Delta Drop-in Centre", "service", "NG", "https://deltadropin.example"},
	{"organisation", "Cape Peer Navigators", "community", "ZA", ""},
	{"organisation", "Institute for Liver Health Equity", "research", "GB", "https://liver-equity.example"},
	{"organisation", "Sindicato de Trabajadoras y Trabajadores Pares", "union", "AR", ""},
	{"organisation", "Colectivo Calle Segura", "community", "MX", "https://callesegura.example"},
	{"organisation", "Rede Vozes da Rua", "network", "BR", ""},
	{"organisation", "Tbilisi Harm Reduction Hub", "ngo", "GE", ""},
	{"organisation", "Ukrainian Peer Pharmacy Watch", "community", "UA", ""},
	{"organisation", "Coastal Women's Safe House", "service", "TZ", "https://coastal-safehouse.example"},
	{"organisation", "Manila Bay Community Responders", "community", "PH", ""},
	{"organisation", "Jakarta Peer Outreach Network", "network", "ID", ""},
	{"organisation", "Punjab Users' Rights Forum", "community", "IN", ""},
	{"organisation", "Dhaka Street Health Initiative", "service", "BD", ""},
	{"organisation", "Pacific Drug Users Union", "union", "NZ", "https://pdu-union.example"},
	{"organisation", "Harm Reduction Montréal-Nord", "service", "CA", ""},
	{"organisation", "Berliner Peer-Netzwerk", "network", "DE", ""},
	{"organisation", "Asociación Hepatitis Cero", "ngo", "ES", "https://hepatitiscero.example"},
	{"organisation", "Faith in Recovery Ministries", "faith", "JM", ""},
	{"organisation", "جمعية الحد من الضرر", "ngo", "LB", ""},
	{"organisation", "مبادرة صحة الأقران", "community", "MA", ""},
	{"organisation", "Accra Peer Educators", "community", "GH", ""},
	{"organisation", "Lusaka Hepatitis Action", "ngo", "ZM", ""},
	{"organisation", "Highland Needle Exchange Trust", "service", "GB", ""},
	{"organisation", "Warsaw Street Clinic Friends", "other", "PL", ""},
	{"organisation", "Bangkok Community Testing Centre", "service", "TH", ""},
	{"individual", "Amina Odhiambo", "", "KE", ""},
	{"individual", "Tomás Herrera", "", "CL", ""},
	{"individual", "Léa Marchand", "", "BE", ""},
	{"individual", "Priya Raman", "", "IN", ""},
	{"individual", "Ivan Petrenko", "", "UA", ""},
	{"individual", "Sione Taufa", "", "TO", ""},
	{"individual", "Grace Mwale", "", "MW", ""},
}

// fillLetters opens the demo's hepatitis C statement for signatures, with
// a goal and a closing time, and enqueues its invented signatories: they
// are sealed with the site key by the server, which has it.
func fillLetters(ctx context.Context, d *db.DB, now time.Time) error {
	var entryID int64
	err := d.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND slug = ?`, letterSlug).Scan(&entryID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a trimmed demo without the statement
	}
	if err != nil {
		return fmt.Errorf("demo: letter: %w", err)
	}
	seed := letter.Seed{EntryID: entryID}
	for i, s := range signatories {
		seed.Signatures = append(seed.Signatures, letter.Signature{Kind: s.kind, Name: s.name, OrgType: s.orgType, Country: s.country,
			Website: s.website, Email: fmt.Sprintf("signatory-%02d@example.org", i+1), Lang: "en"})
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO letters (entry_id, open, organisations, individuals, goal, closes_at, moderated, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, entryID, true, true, true, 100, now.Add(90*24*time.Hour).Unix(), false, now.Unix()); err != nil {
			return fmt.Errorf("demo: letter: %w", err)
		}
		return letter.EnqueueSeed(ctx, tx, seed)
	})
}
