// Video posters (internal/content/video.go): each is a link to the video's
// page, so nothing is loaded from the video's site until the reader
// presses it. This script turns the press into the player, in place:
// a frame for a video site (youtube-nocookie.com for YouTube), a <video>
// element for a file. The page may load it twice (an entry's body and an
// event's recording); it runs once.
(function () {
  "use strict";
  if (window.peerpressVideo) { return; }
  window.peerpressVideo = true;

  document.addEventListener("click", function (ev) {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) { return; }
    var a = ev.target.closest && ev.target.closest("a.video-poster");
    var fig = a && a.closest("figure.video");
    var src = fig && fig.getAttribute("data-video-embed");
    if (!src || src.indexOf("https://") !== 0) { return; }
    ev.preventDefault();
    var title = a.querySelector(".video-title");
    var player;
    if (fig.getAttribute("data-video-kind") === "file") {
      player = document.createElement("video");
      player.controls = true;
      player.autoplay = true;
      player.preload = "auto";
    } else {
      player = document.createElement("iframe");
      player.setAttribute("allow", "autoplay; fullscreen; picture-in-picture");
      player.setAttribute("allowfullscreen", "");
      player.setAttribute("referrerpolicy", "no-referrer");
      player.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation allow-popups");
    }
    player.className = "video-player";
    player.title = title ? title.textContent : "";
    player.src = src;
    a.replaceWith(player);
    player.focus();
  });
})();
