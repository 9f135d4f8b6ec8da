// Photos: shrinks a chosen photo in the browser before it is sent
// (<input type="file" data-shrink>). A phone's photo of 10 to 30 MB
// becomes a JPEG of a few hundred KB drawn again from its pixels, which
// spares a participant's metered data and leaves the location and camera
// details behind on the phone. The server accepts and strips the full
// photo too: without this script, or where the browser cannot draw it,
// nothing changes.
(function () {
  "use strict";
  var MAX_SIDE = 2560; // the server keeps at most 3200 pixels a side
  var QUALITY = 0.85;
  if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;

  function shrink(input) {
    var file = input.files && input.files[0];
    // JPEG and WebP photos only: a PNG may be a drawing with transparency.
    if (!file || !/^image\/(jpeg|webp)$/.test(file.type)) return;
    var buttons = input.form ? input.form.querySelectorAll("button[type=submit], button:not([type])") : [];
    var setBusy = function (busy) {
      buttons.forEach(function (b) { b.disabled = busy; });
      input.setAttribute("aria-busy", busy ? "true" : "false");
    };
    setBusy(true);
    createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    }).then(function (blob) {
      // Sent as chosen if drawing it again saves nothing.
      if (!blob || blob.size >= file.size) return;
      var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
      var dt = new DataTransfer();
      dt.items.add(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
      input.files = dt.files;
    }).catch(function () {
      // The browser could not read it: the server will say what is wrong.
    }).then(function () { setBusy(false); });
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("input[type=file][data-shrink]")) shrink(t);
  });
})();
