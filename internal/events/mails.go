package events

import (
	"strings"
	"time"

	"peerpress/internal/content"
	"peerpress/internal/i18n"
	"peerpress/internal/mail"
)

// The mail registrants receive, each in the language they registered in.
// Only placeMail, promotedMail, reminderMail and organiserMail carry the
// join link, and only to confirmed registrants. Each mail goes to one
// registrant: the same four carry the registrant's own manage link
// (Store.manageLink).

func (ev *event) zone() *time.Location {
	loc, err := i18n.LoadZone(ev.Info.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// when is the start as mail gives it, once: in the event's zone, with
// the zone's abbreviation and its name ("15 April 2027, 12:00 BST
// (Europe/London)"). The calendar file attached puts it in the reader's
// own zone; a second time in UTC only made the line hard to read.
func (ev *event) when(loc *i18n.Localizer) string {
	zone := ev.zone()
	text := loc.DateTime(ev.Info.StartsAt.In(zone))
	if name := zone.String(); name != "UTC" && name != "Etc/UTC" {
		text += " (" + name + ")"
	}
	return text
}

func (ev *event) pageURL(origin, lang string) string {
	t := ev.translation(lang)
	return origin + content.URL(content.Event, t.Lang, t.Slug)
}

func confirmURL(origin, lang, token string) string {
	return origin + "/" + lang + "/registration/confirm/" + token
}

func manageURL(origin, lang, token string) string {
	return origin + "/" + lang + "/registration/manage/" + token
}

func (s *Store) localizer(lang string) *i18n.Localizer { return s.langs.Localizer(lang) }

func (s *Store) confirmMail(ev *event, r Registration, token string) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.confirm_subject", "Title", title),
		Text: l.T("events.mail.confirm_body", "Title", title, "When", ev.when(l), "Link", confirmURL(r.Origin, r.Lang, token),
			"Hours", int(confirmValidity/time.Hour))}
}

// joinLines is the join link paragraph of mail to confirmed registrants.
func (ev *event) joinLines(l *i18n.Localizer, r Registration) string {
	if r.Status != Registered || ev.Details.JoinURL == "" {
		return ""
	}
	return "\n\n" + l.T("events.mail.join", "Link", ev.Details.JoinURL)
}

// manageLines is the manage link paragraph of reminders and organisers'
// messages.
func manageLines(l *i18n.Localizer, r Registration, manage string) string {
	return "\n\n" + l.T("events.mail.manage", "Link", manageURL(r.Origin, r.Lang, manage))
}

// ics is the event's calendar file for registrant r: with the join link
// as location when r is confirmed.
func (ev *event) ics(r Registration, now time.Time) mail.Attachment {
	t := ev.translation(r.Lang)
	ce := ev.calEvent(t, r.Origin, now)
	if r.Status == Registered && ev.Details.JoinURL != "" {
		ce.Location = strings.TrimSpace(ce.Location + " " + ev.Details.JoinURL)
	}
	return mail.Attachment{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: calendar("", []calEvent{ce})}
}

// calEvent describes the event in a calendar, without the join link.
func (ev *event) calEvent(t content.Translation, origin string, now time.Time) calEvent {
	updated := ev.Entry.UpdatedAt
	if updated.IsZero() || updated.After(now) {
		updated = now
	}
	return calEvent{UID: eventUID(ev.Entry.ID, origin), Start: ev.Info.StartsAt, Minutes: ev.Info.DurationMinutes,
		Summary: t.Title, Description: t.Summary, Location: ev.Info.Venue, URL: origin + content.URL(content.Event, t.Lang, t.Slug), Updated: updated}
}

// placeMail answers a confirmation: a place (with the join link and the
// calendar file) or a place on the waiting list.
func (s *Store) placeMail(ev *event, r Registration, manage string) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	if r.Status == Waitlisted {
		return mail.Message{To: r.Email,
			Subject: l.T("events.mail.waitlisted_subject", "Title", title),
			Text:    l.T("events.mail.waitlisted_body", "Title", title, "When", ev.when(l), "Manage", manageURL(r.Origin, r.Lang, manage))}
	}
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.confirmed_subject", "Title", title),
		Text: l.T("events.mail.confirmed_body", "Title", title, "When", ev.when(l), "Page", ev.pageURL(r.Origin, r.Lang),
			"Manage", manageURL(r.Origin, r.Lang, manage)) + ev.joinLines(l, r),
		Attachments: []mail.Attachment{ev.ics(r, s.Now())}}
}

func (s *Store) promotedMail(ev *event, r Registration, manage string) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.promoted_subject", "Title", title),
		Text: l.T("events.mail.confirmed_body", "Title", title, "When", ev.when(l), "Page", ev.pageURL(r.Origin, r.Lang),
			"Manage", manageURL(r.Origin, r.Lang, manage)) + ev.joinLines(l, r),
		Attachments: []mail.Attachment{ev.ics(r, s.Now())}}
}

// newLinkMail carries a manage link the registrant asked for, which
// replaces the one they had.
func (s *Store) newLinkMail(ev *event, r Registration, manage string) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.new_link_subject", "Title", title),
		Text:    l.T("events.mail.new_link_body", "Title", title, "Manage", manageURL(r.Origin, r.Lang, manage))}
}

func (s *Store) cancelMail(ev *event, r Registration) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.cancelled_subject", "Title", title),
		Text:    l.T("events.mail.cancelled_body", "Title", title, "Page", ev.pageURL(r.Origin, r.Lang))}
}

func (s *Store) reminderMail(ev *event, r Registration, manage string, now time.Time) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	hours := int(ev.Info.StartsAt.Sub(now).Round(time.Hour) / time.Hour)
	var soon string
	if hours >= 1 {
		soon = l.N("events.mail.in_hours", hours)
	} else {
		soon = l.N("events.mail.in_minutes", max(1, int(ev.Info.StartsAt.Sub(now).Round(time.Minute)/time.Minute)))
	}
	return mail.Message{To: r.Email,
		Subject: l.T("events.mail.reminder_subject", "Title", title, "Soon", soon),
		Text: l.T("events.mail.reminder_body", "Title", title, "When", ev.when(l), "Page", ev.pageURL(r.Origin, r.Lang)) +
			ev.joinLines(l, r) + manageLines(l, r, manage)}
}

func (s *Store) organiserMail(ev *event, r Registration, manage, subject, text string) mail.Message {
	l := s.localizer(r.Lang)
	title := ev.translation(r.Lang).Title
	return mail.Message{To: r.Email, Subject: subject,
		Text: text + "\n\n-- \n" + l.T("events.mail.organiser_footer", "Title", title, "When", ev.when(l)) + ev.joinLines(l, r) +
			manageLines(l, r, manage)}
}
