// Tribute slideshow (internal/campaign): the slides are ordinary pages
// linked by "previous" and "next", so they work by keyboard and without
// this script. The script adds the arrow keys and moves between slides
// without reloading the page: it fetches the neighbour, swaps the slide
// and its links, updates the address and the title, and moves focus to the
// new slide's heading so screen readers announce it.
(function () {
  "use strict";
  var show = document.querySelector(".slideshow");
  if (!show || !window.fetch || !window.DOMParser || !history.pushState) { return; }

  function link(which) { return show.querySelector('[data-slide="' + which + '"]'); }

  function swap(doc) {
    var fresh = doc.querySelector(".slideshow");
    if (!fresh) { return false; }
    var slide = show.querySelector(".slide"), nav = show.querySelector(".slide-nav");
    var newSlide = fresh.querySelector(".slide"), newNav = fresh.querySelector(".slide-nav");
    if (!slide || !nav || !newSlide || !newNav) { return false; }
    slide.replaceWith(document.importNode(newSlide, true));
    nav.replaceWith(document.importNode(newNav, true));
    document.title = doc.title;
    var h = show.querySelector(".slide h1");
    if (h) { h.focus(); }
    return true;
  }

  function go(url, push) {
    fetch(url, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) { throw new Error(res.status); }
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (!swap(doc)) { location.href = url; return; }
      if (push) { history.pushState({ slide: url }, "", url); }
    }).catch(function () { location.href = url; });
  }

  show.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-slide]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey || ev.button !== 0) { return; }
    ev.preventDefault();
    go(a.href, true);
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.shiftKey) { return; }
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var rtl = document.documentElement.dir === "rtl";
    var which = null;
    if (ev.key === "ArrowRight") { which = rtl ? "prev" : "next"; }
    if (ev.key === "ArrowLeft") { which = rtl ? "next" : "prev"; }
    var a = which && link(which);
    if (!a) { return; }
    ev.preventDefault();
    go(a.href, true);
  });

  window.addEventListener("popstate", function () { go(location.href, false); });
})();
