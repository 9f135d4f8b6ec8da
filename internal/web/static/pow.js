// Proof of work for public forms (internal/guard): finds a nonce such that
// SHA-256(challenge + nonce) starts with the number of zero bits the form
// asks for, and puts it in the form's guard_proof field. Work runs in small
// batches so the page stays responsive. Without this script (or without
// Web Crypto) the form still works; the submission is only flagged for a
// closer look by a moderator.
(function () {
  "use strict";
  if (!window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var encoder = new TextEncoder();

  function zeroBits(bytes) {
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 0) { n += 8; continue; }
      while ((b & 0x80) === 0) { n++; b <<= 1; }
      return n;
    }
    return n;
  }

  function solve(challenge, bits) {
    var nonce = 0;
    var batch = 128;
    function next() {
      var tries = [];
      for (var i = 0; i < batch; i++) {
        tries.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + (nonce + i))));
      }
      return Promise.all(tries).then(function (sums) {
        for (var i = 0; i < sums.length; i++) {
          if (zeroBits(new Uint8Array(sums[i])) >= bits) { return String(nonce + i); }
        }
        nonce += batch;
        // Digests resolve as tasks, so input and painting run between
        // batches; no timer needed (timers would add 4 ms each).
        return next();
      });
    }
    return next();
  }

  function start(box) {
    if (box.dataset.powStarted) { return; }
    box.dataset.powStarted = "1";
    var form = box.closest("form");
    var field = box.querySelector('input[name="guard_proof"]');
    var bits = parseInt(box.dataset.powBits, 10);
    if (!form || !field || !(bits > 0)) { return; }
    var done = false;
    var waiting = null;
    var work = solve(box.dataset.powChallenge, bits).then(function (nonce) {
      field.value = nonce;
      done = true;
    }, function () { done = true; });
    form.addEventListener("submit", function (event) {
      if (done) { return; }
      event.preventDefault();
      if (waiting) { return; }
      waiting = event.submitter || null;
      work.then(function () {
        if (form.requestSubmit) { form.requestSubmit(waiting); } else { form.submit(); }
      });
    });
  }

  function all() {
    var boxes = document.querySelectorAll("[data-pow-challenge]");
    for (var i = 0; i < boxes.length; i++) { start(boxes[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
