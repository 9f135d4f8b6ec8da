package web

// Pages are a feature area's handlers: they declare their routes in the
// site's table. Whatever else they offer (a panel on entry pages, a home
// block, links) is found by the optional interfaces of the packages that
// use it.
type Pages interface {
	Routes(rs *Routes)
}
