// The entry editor, improved where JavaScript runs; without it every part
// works through the server (the kind chosen first, "More rows", position
// numbers and "Remove" boxes).
//   - Choosing a kind shows its fields at once: every kind's fieldsets are
//     in the page, those of other kinds hidden (data-kinds).
//   - Lists of rows (an event's speakers) gain Move up, Move down and
//     Remove buttons, and "More rows" adds a row in place.
//   - A summary of errors takes the focus, so it is read first.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var kind = document.querySelector("select[data-kind-select]");
  if (kind) {
    var showKind = function () {
      document.querySelectorAll("fieldset[data-kinds]").forEach(function (fs) {
        fs.hidden = fs.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
      });
    };
    kind.addEventListener("change", showKind);
  }

  // renumber gives a list's rows their positions, element ids and
  // removal values in the order they now stand.
  function renumber(list) {
    var name = list.getAttribute("data-list");
    list.querySelectorAll("li.list-row").forEach(function (row, i) {
      var n = i + 1;
      row.querySelectorAll("[id]").forEach(function (el) {
        var old = el.id;
        var id = old.replace(/-\d+$/, "-" + n);
        if (id === old) return;
        el.id = id;
        row.querySelectorAll("label[for='" + old + "']").forEach(function (l) { l.htmlFor = id; });
      });
      row.querySelectorAll("[aria-describedby]").forEach(function (el) {
        el.setAttribute("aria-describedby", el.getAttribute("aria-describedby").replace(/-\d+-(hint|error)/g, "-" + n + "-$1"));
      });
      row.querySelectorAll(".visually-hidden").forEach(function (s) { s.textContent = " " + n; });
      var pos = row.querySelector("input[name='" + name + "_pos']");
      if (pos) pos.value = n;
      var remove = row.querySelector("input[name='" + name + "_remove']");
      if (remove) remove.value = i;
    });
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small-button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function tools(list, row) {
    var box = row.querySelector(".row-tools");
    // The position number and the Remove box serve without JavaScript.
    box.querySelectorAll("label, input").forEach(function (el) { el.hidden = true; });
    box.appendChild(button(list.getAttribute("data-up"), function () {
      var prev = row.previousElementSibling;
      if (prev) { row.parentNode.insertBefore(row, prev); renumber(list); this.focus(); }
    }));
    box.appendChild(button(list.getAttribute("data-down"), function () {
      var next = row.nextElementSibling;
      if (next) { row.parentNode.insertBefore(next, row); renumber(list); this.focus(); }
    }));
    box.appendChild(button(list.getAttribute("data-remove"), function () {
      var rows = row.parentNode;
      var focusTo = row.nextElementSibling || row.previousElementSibling;
      if (rows.children.length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input:not([type=checkbox]):not([type=number]), select").forEach(function (el) {
          el.value = el.tagName === "SELECT" ? el.options[0].value : "";
        });
      }
      renumber(list);
      var first = focusTo && focusTo.isConnected ? focusTo.querySelector("input, select") : rows.querySelector("input, select");
      if (first) first.focus();
    }));
  }

  document.querySelectorAll("fieldset[data-list]").forEach(function (list) {
    var rows = list.querySelector("ol.list-rows");
    rows.querySelectorAll("li.list-row").forEach(function (row) { tools(list, row); });
    var more = list.querySelector("button.more-rows");
    if (!more) return;
    more.addEventListener("click", function (ev) {
      ev.preventDefault();
      var last = rows.lastElementChild;
      var row = last.cloneNode(true);
      row.querySelectorAll(".row-tools button").forEach(function (b) { b.remove(); });
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      row.querySelectorAll("datalist").forEach(function (d) { d.remove(); });
      row.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        if (el.type === "checkbox") el.checked = false;
        else if (el.tagName === "SELECT") el.value = el.options[0].value;
        else if (el.type !== "number") el.value = "";
      });
      rows.appendChild(row);
      tools(list, row);
      renumber(list);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  });
})();
