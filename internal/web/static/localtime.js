// Events: adds the visitor's own time beside each event time
// (<time datetime data-local="label">). The page is right without it: the
// server writes the event's zone and the reference zones.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var lang = document.documentElement.lang || undefined;
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
  } catch (e) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  document.querySelectorAll("time[data-local][datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = el.getAttribute("data-local") + ": " + fmt.format(when) + (zone ? " (" + zone + ")" : "");
    (el.closest(".event-when") || el).insertAdjacentElement("afterend", span);
  });
})();
