// Entries to link (internal/campaign, the campaign's details): the form's
// Search button finds them without this script; with it, results come as
// the editor types. Each result's Add button is the same submit button
// the server renders, so adding works the same either way.
(function () {
  "use strict";
  var input = document.querySelector("input[data-linkable]");
  var out = document.getElementById("link-results");
  if (!input || !out || !window.fetch) { return; }
  var timer = 0, seq = 0;

  function render(items) {
    out.textContent = "";
    if (!items.length) {
      var p = document.createElement("p");
      p.textContent = input.getAttribute("data-none");
      out.appendChild(p);
      return;
    }
    var chosen = {};
    document.querySelectorAll('input[type="hidden"][name="link"]').forEach(function (h) { chosen[h.value] = true; });
    var ul = document.createElement("ul");
    ul.className = "link-choices";
    items.forEach(function (it) {
      if (chosen[String(it.id)]) { return; }
      var li = document.createElement("li");
      var title = document.createElement("span");
      title.textContent = it.title;
      var kind = document.createElement("span");
      kind.className = "small";
      kind.textContent = "(" + it.kind + ")";
      var b = document.createElement("button");
      b.type = "submit";
      b.name = "add_link";
      b.value = String(it.id);
      b.textContent = input.getAttribute("data-add");
      b.setAttribute("aria-label", input.getAttribute("data-add") + ": " + it.title);
      li.append(title, " ", kind, " ", b);
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { out.textContent = ""; return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(input.getAttribute("data-linkable") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (res) { if (!res.ok) { throw new Error(res.status); } return res.json(); })
        .then(function (items) { if (mine === seq) { render(items); } })
        .catch(function () { /* the Search button still works */ });
    }, 250);
  });
})();
