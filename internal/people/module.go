package people

import (
	"peerpress/internal/auth"
	"peerpress/internal/guard"
	"peerpress/internal/participant"
	"peerpress/internal/web"
)

// Module is the staff's view of the site's personal data, as the
// composition root holds it.
type Module struct {
	Registry *participant.Registry
	Users    *auth.Store // names the staff in the audit log
}

// Pages makes the people and audit pages.
func (m *Module) Pages(rd *web.Renderer, _ *guard.Guard) (web.Pages, error) {
	return New(m.Registry, m.Users, rd)
}
