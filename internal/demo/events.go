package demo

import (
	"context"
	"fmt"

	"peerpress/internal/db"
	"peerpress/internal/events"
)

// demoEvents are the demo events' details beyond when and where: one
// upcoming webinar open for registration, others with interpretation,
// speakers and agendas, and a past one with its recording. The join and
// recording links point at example.org, which answers nothing.
var demoEvents = map[string]events.Details{
	"webinar-naloxone-in-the-hands-of-peers": {
		JoinURL: "https://meet.example.org/pvn-naloxone-peers-4821",
		Languages: []events.Interpretation{
			{Lang: "en", Status: events.Confirmed}, {Lang: "ru", Status: events.Confirmed},
			{Lang: "fr", Status: events.Confirmed}, {Lang: "es", Status: events.ToConfirm},
		},
		Speakers: []events.Speaker{
			{Name: "Lena Varga", Role: "Outreach coordinator", Organisation: "Northern Lights Peer Network"},
			{Name: "Timur Aliyev", Role: "Peer trainer", Organisation: "Steppe Peer Network"},
			{Name: "Grace Mwangi", Role: "Community pharmacist and harm reduction volunteer"},
			{Name: "Sami Haddad", Role: "Moderator, programme lead", Organisation: "Peer Voices Network"},
		},
		Agenda: []events.AgendaItem{
			{Offset: 0, Title: "Welcome and how interpretation works"},
			{Offset: 10, Title: "Kits in pockets: three peer programmes compared"},
			{Offset: 45, Title: "Getting naloxone past the pharmacy counter"},
			{Offset: 70, Title: "Your questions"},
		},
		Open:     true,
		Capacity: 150,
		Questions: []events.Question{
			{Type: events.QuestionText, Label: "Organisation (optional)"},
			{Type: events.QuestionInterpretation, Label: "Which language will you listen in?"},
			{Type: events.QuestionChoice, Label: "Your region", Options: []string{"Africa", "Asia and the Pacific", "Eastern Europe and Central Asia", "Latin America and the Caribbean", "Elsewhere"}},
			{Type: events.QuestionAccessibility, Label: "Anything we should arrange so you can take part (captions, a sign language interpreter…)"},
			{Type: events.QuestionCheckbox, Label: "Send me the recording afterwards"},
		},
		Consent:         "I agree that the network keeps my name, address and answers to organise this webinar, and deletes them 30 days after it.",
		ReminderMinutes: events.DefaultReminders,
	},
	"webinar-community-led-monitoring-that-changes-services": {
		JoinURL:   "https://meet.example.org/pvn-clm-2207",
		Languages: []events.Interpretation{{Lang: "en", Status: events.Confirmed}, {Lang: "fr", Status: events.Confirmed}, {Lang: "pt", Status: events.ToConfirm}},
		Speakers: []events.Speaker{
			{Name: "Achieng Otieno", Role: "CLM coordinator", Organisation: "Savanna Peer Network"},
			{Name: "Nguyen Thi Lan", Role: "Peer monitor", Organisation: "Mekong and Islands Peer Network"},
			{Name: "Ibrahim Sow", Role: "Data and digital security adviser"},
			{Name: "Marisol Pérez", Role: "Moderator", Organisation: "Peer Voices Network"},
		},
		Agenda: []events.AgendaItem{
			{Clock: "10:00", Title: "Why monitor?"},
			{Clock: "10:20", Title: "Collecting data safely"},
			{Clock: "10:55", Title: "From data to action"},
			{Clock: "11:30", Title: "Working with health authorities"},
		},
		Open:            true,
		Capacity:        80,
		Questions:       []events.Question{{Type: events.QuestionInterpretation, Label: "Interpretation needed"}},
		ReminderMinutes: events.DefaultReminders,
	},
	"webinar-drug-checking-latin-america": {
		Languages: []events.Interpretation{{Lang: "es", Status: events.Confirmed}, {Lang: "en", Status: events.Confirmed}, {Lang: "pt", Status: events.ToConfirm}},
		Speakers: []events.Speaker{
			{Name: "Valentina Ríos Cárdenas", Role: "Chemist, coordinator of a peer-run testing point"},
			{Name: "Diego Mamani", Role: "Outreach worker", Organisation: "Red Ríos"},
			{Name: "Carla Souza", Role: "Harm reduction researcher"},
			{Name: "Andrés Molina", Role: "Moderator", Organisation: "Peer Voices Network"},
		},
		ReminderMinutes: events.DefaultReminders,
	},
	"webinar-who-pays-for-harm-reduction": {
		RecordingURL: "https://video.example.org/pvn/who-pays-for-harm-reduction",
		Languages:    []events.Interpretation{{Lang: "en", Status: events.Confirmed}, {Lang: "hi", Status: events.Confirmed}, {Lang: "id", Status: events.Confirmed}},
		Speakers: []events.Speaker{
			{Name: "Priya Raman", Role: "Coordinator of a peer-led network in South India"},
			{Name: "Rizal Hakim", Organisation: "Mekong and Islands Peer Network"},
			{Name: "Dr Meera Joshi", Role: "Health economist"},
			{Name: "Sami Haddad", Role: "Moderator", Organisation: "Peer Voices Network"},
		},
		ReminderMinutes: events.DefaultReminders,
	},
}

// fillEvents gives the demo events their details.
func fillEvents(ctx context.Context, d *db.DB) error {
	for slug, det := range demoEvents {
		if err := d.QueryRowContext(ctx, `SELECT entry_id FROM translations WHERE lang = 'en' AND slug = ?`, slug).Scan(&det.EntryID); err != nil {
			return fmt.Errorf("demo: event %s: %w", slug, err)
		}
		if err := events.Seed(ctx, d, det); err != nil {
			return err
		}
	}
	return nil
}
