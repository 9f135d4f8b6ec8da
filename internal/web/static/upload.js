// Calls: resumable uploads of an application's files with the tus
// protocol (tus.io 1.0.0), from the applicant's private page. The form
// names its endpoint (data-tus-endpoint); each file input of the form is
// uploaded on its own as soon as it is chosen, in chunks, with a progress
// bar. After a dropped connection it asks the server how much arrived
// (HEAD) and sends only the rest; the upload's address is kept in this
// browser (localStorage), so closing the laptop and choosing the same
// file again resumes it too. Without this script the form sends small
// files itself.
(function () {
  "use strict";
  var form = document.querySelector("form[data-tus-endpoint]");
  if (!form || !window.fetch || !window.Blob) return;
  var endpoint = form.getAttribute("data-tus-endpoint");
  var token = form.getAttribute("data-token");
  var lang = document.documentElement.lang || "en";
  var chunk = 8 * 1024 * 1024;
  var text = function (name) { return form.getAttribute("data-msg-" + name) || ""; };

  function b64(s) {
    return btoa(unescape(encodeURIComponent(s)));
  }
  function remember(key, url) {
    try { if (url) localStorage.setItem(key, url); else localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }
  function recall(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function failure(res) {
    return res.text().then(function (body) {
      var msg = body.replace(/^ERR_[A-Z_]+: /, "").trim();
      var err = new Error(msg || text("failed"));
      err.final = res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 423;
      throw err;
    });
  }

  function create(file, field) {
    var meta = ["token " + b64(token), "field " + b64(field), "filename " + b64(file.name), "lang " + b64(lang)].join(",");
    return fetch(endpoint, { method: "POST", credentials: "same-origin",
      headers: { "Tus-Resumable": "1.0.0", "Upload-Length": String(file.size), "Upload-Metadata": meta } })
      .then(function (res) {
        if (res.status !== 201) return failure(res);
        return new URL(res.headers.get("Location"), location.href).pathname;
      });
  }
  function offset(url) {
    return fetch(url, { method: "HEAD", credentials: "same-origin", headers: { "Tus-Resumable": "1.0.0" } })
      .then(function (res) {
        if (res.status !== 200) { var e = new Error("gone"); e.gone = true; throw e; }
        return parseInt(res.headers.get("Upload-Offset"), 10) || 0;
      });
  }
  function send(url, file, from, bar) {
    var end = Math.min(from + chunk, file.size);
    return fetch(url, { method: "PATCH", credentials: "same-origin", body: file.slice(from, end),
      headers: { "Tus-Resumable": "1.0.0", "Upload-Offset": String(from), "Content-Type": "application/offset+octet-stream" } })
      .then(function (res) {
        if (res.status !== 204) return failure(res);
        var at = parseInt(res.headers.get("Upload-Offset"), 10);
        bar.value = at;
        if (at >= file.size) return true;
        return send(url, file, at, bar);
      });
  }

  function upload(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    var field = input.name.replace(/^a_/, "");
    var key = "tus:" + token.slice(0, 8) + ":" + field + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    var box = input.parentNode;
    var bar = box.querySelector("progress") || document.createElement("progress");
    var status = box.querySelector(".upload-status") || document.createElement("span");
    bar.max = file.size; bar.value = 0; status.className = "upload-status"; status.setAttribute("role", "status");
    box.appendChild(bar); box.appendChild(status);
    status.textContent = text("uploading");
    var tries = 0;
    function attempt() {
      var url = recall(key);
      var start = url ? offset(url).catch(function (e) { if (e.gone) { remember(key, null); return null; } throw e; }) : Promise.resolve(null);
      return start.then(function (at) {
        if (at === null) {
          return create(file, field).then(function (u) { url = u; remember(key, u); return send(u, file, 0, bar); });
        }
        return send(url, file, at, bar);
      }).then(function () {
        remember(key, null);
        input.value = "";
        status.textContent = text("done");
      }).catch(function (err) {
        if (err.final) { remember(key, null); status.textContent = err.message; return; }
        tries++;
        status.textContent = text("retrying");
        return wait(Math.min(30000, 1000 * Math.pow(2, tries))).then(attempt);
      });
    }
    attempt();
  }

  form.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () { upload(input); });
  });
})();
