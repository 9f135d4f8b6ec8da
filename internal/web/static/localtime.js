// Events and calls: adds the visitor's own time beside each event time
// or deadline (<time datetime data-local="label">), and how long is left
// before a call's deadline. The page is right without it: the
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
  // Calls: how long is left before a deadline (<time data-countdown>),
  // in the reader's language as the browser words it ("in 3 days").
  if (!Intl.RelativeTimeFormat) return;
  var rel;
  try {
    rel = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  } catch (e) {
    return;
  }
  var units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  document.querySelectorAll("time[data-countdown][datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime")).getTime();
    if (isNaN(when)) return;
    var span = document.createElement("span");
    span.className = "countdown";
    el.parentNode.appendChild(span);
    var tick = function () {
      var left = Math.floor((when - Date.now()) / 1000);
      if (left <= 0) {
        span.textContent = "";
        return;
      }
      for (var i = 0; i < units.length; i++) {
        if (left >= units[i][1] || i === units.length - 1) {
          span.textContent = " · " + rel.format(Math.floor(left / units[i][1]), units[i][0]);
          break;
        }
      }
      setTimeout(tick, left > 86400 ? 60000 : 1000);
    };
    tick();
  });
})();
