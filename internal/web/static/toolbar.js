// The writing toolbar: buttons (and Ctrl/Cmd+B, I, K) that write the
// Markdown into the text for the writer, an image placed at the cursor,
// and a paste from a word processor or a web page turned into clean text
// by the site. The textarea stays what is sent: without this script the
// form works as it is.
(function () {
  "use strict";
  var bar = document.querySelector("[data-toolbar]");
  if (!bar) return;
  var text = document.getElementById(bar.getAttribute("data-toolbar"));
  var form = text && text.form;
  if (!form) return;
  var status = document.querySelector("[data-toolbar-status]");
  var csrf = form.querySelector("input[name=csrf]");
  var inlineFile = form.querySelector("[data-inline-image]");
  var uploadButton = form.querySelector("button[name=upload][value=inline]");

  function say(msg) { if (status) status.textContent = msg || ""; }

  // replace puts s in place of the selection and selects sel within it
  // (offsets in s), keeping the browser's undo where it can.
  function replace(s, selStart, selEnd) {
    var start = text.selectionStart, end = text.selectionEnd;
    text.focus();
    text.setSelectionRange(start, end);
    if (!document.execCommand || !document.execCommand("insertText", false, s)) {
      text.setRangeText(s, start, end, "end");
    }
    text.setSelectionRange(start + selStart, start + selEnd);
    text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function selected() { return text.value.slice(text.selectionStart, text.selectionEnd); }

  // wrap surrounds the selection with mark (bold, italic), or takes it away.
  function wrap(mark) {
    var s = selected(), n = mark.length;
    if (s.length > 2 * n && s.slice(0, n) === mark && s.slice(-n) === mark) {
      var inner = s.slice(n, -n);
      replace(inner, 0, inner.length);
      return;
    }
    replace(mark + s + mark, n, n + s.length);
  }

  // lines puts prefix before every line the selection touches; numbered
  // lists count.
  function lines(prefix) {
    var v = text.value;
    var start = v.lastIndexOf("\n", text.selectionStart - 1) + 1;
    var end = v.indexOf("\n", text.selectionEnd);
    if (end < 0) end = v.length;
    text.setSelectionRange(start, end);
    var out = v.slice(start, end).split("\n").map(function (line, i) {
      var bare = line.replace(/^(#{1,6} |> |- |\d+\. )/, "");
      return (prefix === "1. " ? (i + 1) + ". " : prefix) + bare;
    }).join("\n");
    replace(out, out.length, out.length);
  }

  function link() {
    var url = window.prompt(bar.getAttribute("data-link-prompt"), "https://");
    if (!url || url === "https://") { text.focus(); return; }
    var s = selected() || url;
    replace("[" + s + "](" + url.trim() + ")", 1, 1 + s.length);
  }

  function post(url, data) {
    data.append("csrf", csrf ? csrf.value : "");
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (!res.ok || body.error) throw new Error(body.error || bar.getAttribute("data-failed"));
          return body;
        });
      });
  }

  // image asks for a picture and its description, stores it through the
  // site (metadata removed, sizes made) and places it at the cursor.
  function image() {
    var pick = document.createElement("input");
    pick.type = "file";
    pick.accept = inlineFile.accept;
    pick.addEventListener("change", function () {
      var file = pick.files && pick.files[0];
      if (!file) return;
      var alt = window.prompt(bar.getAttribute("data-alt-prompt"), "");
      if (alt === null) { text.focus(); return; }
      var data = new FormData();
      ["stage", "lang", "kind"].forEach(function (name) {
        var f = form.elements[name];
        if (f && f.value) data.append(name, f.value);
      });
      data.append("upload", "inline");
      data.append("inline_alt", alt);
      data.append("inline_image", file);
      say(bar.getAttribute("data-uploading"));
      post(uploadButton.getAttribute("formaction"), data).then(function (body) {
        say("");
        replace("\n" + body.markdown + "\n", 1, 1 + body.markdown.length);
      }, function (err) { say(err.message); });
    });
    pick.click();
  }

  var actions = {
    h2: function () { lines("## "); },
    h3: function () { lines("### "); },
    bold: function () { wrap("**"); },
    italic: function () { wrap("*"); },
    ul: function () { lines("- "); },
    ol: function () { lines("1. "); },
    quote: function () { lines("> "); },
    link: link,
    image: image
  };

  bar.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-md]");
    if (b && actions[b.getAttribute("data-md")]) {
      ev.preventDefault();
      actions[b.getAttribute("data-md")]();
    }
  });
  // Arrow keys move between the toolbar's buttons, as in any toolbar.
  bar.addEventListener("keydown", function (ev) {
    if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
    var buttons = Array.prototype.filter.call(bar.querySelectorAll("button"), function (b) { return !b.hidden; });
    var i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    var forward = (ev.key === "ArrowRight") !== (getComputedStyle(bar).direction === "rtl");
    buttons[(i + (forward ? 1 : buttons.length - 1)) % buttons.length].focus();
    ev.preventDefault();
  });
  text.addEventListener("keydown", function (ev) {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
    var key = { b: "bold", i: "italic", k: "link" }[ev.key.toLowerCase()];
    if (key) { ev.preventDefault(); actions[key](); }
  });

  // A paste of formatted text (Word, Google Docs, a web page) comes as
  // HTML: the site turns it into clean Markdown. Plain text pastes as is.
  text.addEventListener("paste", function (ev) {
    var cd = ev.clipboardData;
    var html = cd && cd.getData("text/html");
    if (!html) return;
    ev.preventDefault();
    var plain = cd.getData("text/plain");
    var data = new FormData();
    data.append("html", html);
    post(text.getAttribute("data-paste"), data).then(function (body) {
      replace(body.markdown, body.markdown.length, body.markdown.length);
    }, function () { replace(plain, plain.length, plain.length); });
  });

  if (inlineFile && uploadButton) bar.querySelector("[data-md=image]").hidden = false;
  bar.hidden = false;
})();
