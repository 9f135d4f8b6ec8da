package mirror

// Mirrored says whether the mirror may hold the page at path, as the
// route table says.
func Mirrored(s Site, path string) bool { return newRouteIndex(s.Routes, s.I18n).mirrored(path) }
