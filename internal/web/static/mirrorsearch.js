// Search in the static mirror (internal/mirror/searchindex.go), without a
// server: the page's language has an index of the words of its entries'
// titles and summaries, cut into small files. The script loads the
// manifest, then only the shards of the words typed and the entries it
// shows, so a reader on a metered connection downloads little.
//
// The index files are scripts calling ppSearch(…), loaded by <script>
// tags rather than fetch(): browsers refuse fetch() of local files to a
// page opened from file://, and a script tag works there as on any host.
(function () {
  "use strict";
  var box = document.getElementById("mirror-search");
  if (!box || !window.Promise) { return; }
  var base = box.getAttribute("data-index"), root = box.getAttribute("data-root");
  var lang = box.getAttribute("data-lang");
  var input = box.querySelector("input"), count = box.querySelector(".search-count");
  var list = box.querySelector(".search-results"), more = box.querySelector(".search-more");
  var perPage = 10, maxWords = 12, maxRunes = 48;
  // What one search may download of term shards; a short prefix that
  // would need more is searched in part, and the reader told so.
  var budget = 120 * 1024;

  var loaded = {}, waiting = {};
  window.ppSearch = function (kind, name, data) { loaded[kind + ":" + name] = data; };

  // load runs the index file once and resolves with what it declared.
  function load(kind, name, file) {
    var id = kind + ":" + name;
    if (loaded[id]) { return Promise.resolve(loaded[id]); }
    if (waiting[id]) { return waiting[id]; }
    waiting[id] = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + file;
      s.onload = function () { if (loaded[id]) { resolve(loaded[id]); } else { reject(new Error(file)); } };
      s.onerror = function () { delete waiting[id]; reject(new Error(file)); };
      document.head.appendChild(s);
    });
    return waiting[id];
  }

  function hex(s) {
    var out = "";
    new TextEncoder().encode(s).forEach(function (b) { out += (b < 16 ? "0" : "") + b.toString(16); });
    return out;
  }

  // fold is search.fold (internal/search/fold.go): the same words on both
  // sides.
  function fold(w) {
    w = w.toLowerCase();
    if (lang === "en" || lang === "fr" || lang === "es") {
      w = w.normalize("NFD").replace(/\p{Mn}/gu, "").normalize("NFC");
    } else if (lang === "ru") {
      w = w.replace(/ё/g, "е");
    } else if (lang === "ar") {
      w = w.replace(/[\u064B-\u065F\u0670\u0640]/g, "").replace(/[أإآ]/g, "ا");
    }
    var runes = Array.from(w);
    return runes.length > maxRunes ? runes.slice(0, maxRunes).join("") : w;
  }

  function words(text) {
    var out = [];
    (text.match(/[\p{L}\p{Nd}\p{M}]+/gu) || []).forEach(function (t) {
      var w = fold(t);
      if (w && out.indexOf(w) < 0 && out.length < maxWords) { out.push(w); }
    });
    return out;
  }

  // shardsFor lists the shards that hold the words beginning with w:
  // shards are named by the first letters of their words.
  function shardsFor(w, shards) {
    return Object.keys(shards).filter(function (k) {
      return w.indexOf(k) === 0 || k.indexOf(w) === 0;
    }).sort(function (a, b) {
      var pa = w.indexOf(a) === 0 ? 0 : 1, pb = w.indexOf(b) === 0 ? 0 : 1;
      return pa - pb || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  // hits reads the entries of the words beginning with w: id → weight,
  // a title counting twice a summary, the whole word once more.
  function hits(w, shardData) {
    var out = new Map();
    shardData.forEach(function (shard) {
      Object.keys(shard).forEach(function (word) {
        if (word.indexOf(w) !== 0) { return; }
        var id = 0, bonus = word === w ? 1 : 0;
        shard[word].forEach(function (d) {
          id += Math.abs(d);
          var weight = (d < 0 ? 2 : 1) + bonus;
          if ((out.get(id) || 0) < weight) { out.set(id, weight); }
        });
      });
    });
    return out;
  }

  var manifest = load("m", lang, "manifest.js");
  var current = 0, results = [], shown = 0;

  function search() {
    var q = words(input.value), run = ++current;
    list.textContent = "";
    more.hidden = true;
    if (!q.length) { count.textContent = ""; return; }
    count.textContent = box.getAttribute("data-loading");
    manifest.then(function (m) {
      var partial = false, spent = 0;
      var wanted = q.map(function (w) {
        return shardsFor(w, m.shards).filter(function (k, i) {
          if (i > 0 && spent + m.shards[k] > budget) { partial = true; return false; }
          spent += m.shards[k];
          return true;
        });
      });
      return Promise.all(wanted.map(function (keys) {
        return Promise.all(keys.map(function (k) { return load("t", k, "t/" + hex(k) + ".js"); }));
      })).then(function (perWord) {
        if (run !== current) { return; }
        var score = null;
        perWord.forEach(function (shardData, i) {
          var h = hits(q[i], shardData);
          if (score === null) { score = h; return; }
          var next = new Map();
          score.forEach(function (s, id) { if (h.has(id)) { next.set(id, s + h.get(id)); } });
          score = next;
        });
        results = Array.from(score.keys()).sort(function (a, b) { return score.get(b) - score.get(a) || b - a; });
        shown = 0;
        var note = results.length ? box.getAttribute("data-found") + " " + results.length.toLocaleString(document.documentElement.lang) : box.getAttribute("data-none");
        if (partial) { note += " " + box.getAttribute("data-letters"); }
        count.textContent = note;
        return page(run, m);
      });
    }).catch(function () {
      if (run === current) { count.textContent = box.getAttribute("data-failed"); }
    });
  }

  // page shows the next results, loading the files that hold them.
  function page(run, m) {
    var ids = results.slice(shown, shown + perPage);
    shown += ids.length;
    return Promise.all(ids.map(function (id) {
      var n = Math.floor(id / m.docsPerShard);
      return load("d", n, "d/" + n + ".js");
    })).then(function (docShards) {
      if (run !== current) { return; }
      ids.forEach(function (id, i) {
        var doc = docShards[i][id];
        if (doc) { list.appendChild(item(doc, m)); }
      });
      more.hidden = shown >= results.length;
    });
  }

  function item(doc, m) {
    var li = document.createElement("li"), meta = document.createElement("p");
    li.className = "item";
    meta.className = "meta";
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = m.kinds[doc[2]] || "";
    var time = document.createElement("time");
    time.dateTime = doc[3];
    time.textContent = doc[3];
    meta.append(kind, " · ", time);
    var h = document.createElement("h2"), a = document.createElement("a");
    a.href = encodeURI(root + doc[1]);
    a.textContent = doc[0];
    h.appendChild(a);
    li.append(meta, h);
    if (doc[4]) {
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = doc[4];
      li.appendChild(p);
    }
    return li;
  }

  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { clearTimeout(timer); search(); }
  });
  more.addEventListener("click", function () {
    var run = current;
    manifest.then(function (m) { return page(run, m); });
  });
  box.hidden = false;
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; search(); }
})();
