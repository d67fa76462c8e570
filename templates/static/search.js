// Search page: Pagefind's JavaScript API over the index digest makes of the entries (docs/search.md).
// A query that is a place or a person's name lists that place's or person's entries first (exact
// city / people filter), then the text results; the words typed are highlighted whole; excerpts
// start at a word, not at punctuation.  Needs the site served over HTTP.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var input = document.getElementById("q");
  var themeSelect = document.getElementById("theme-filter");
  var citySelect = document.getElementById("city-filter");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var more = document.getElementById("more-results") || document.createElement("button");
  var bundle = new URL(form.getAttribute("data-pagefind-root"), location.href).href;
  var siteRoot = new URL(form.getAttribute("data-site-root") || "../", location.href).pathname;
  var PAGE = 20;
  var LEADING = /^[\s\u3000、。,,.;;::!!??)\]})】》」』〕〉”’…·—-]+/;
  var pagefind = null;
  var seq = 0;

  if (location.protocol === "file:") {
    status.textContent = "搜索需要通过网址访问本站(例如运行 python build.py serve),直接打开本地文件时无法搜索。";
    input.disabled = true;
    return;
  }

  function load() {
    if (!pagefind) {
      pagefind = import(bundle + "pagefind.js").then(function (pf) {
        if (pf.digestSearchOff) throw { digestSearchOff: pf.digestSearchOff };
        return pf.options({ baseUrl: siteRoot, excerptLength: 40 })
          .then(function () { return pf.init(); })
          .then(function () { return pf; });
      });
    }
    return pagefind;
  }

  // Why there is no index: the page's own module says so when Pagefind was missing at build time;
  // under `digest serve` the server says what it is doing; otherwise the site was built without one.
  function whyNoIndex(error) {
    if (error && error.digestSearchOff) return error.digestSearchOff;
    var state = document.documentElement.getAttribute("data-digest-search");
    if (state === "indexing") return "正在生成搜索索引,完成后本页会自动刷新。";
    if (state === "off") return "digest serve 是带 --no-search 启动的,没有生成搜索索引;不加这个选项重新启动即可搜索。";
    if (state === "unavailable") return "搜索未开启:没有找到 Pagefind(扩展版)。在项目文件夹运行 pip install -e . 后重新启动 digest serve 即可。";
    if (state === "failed") return "搜索索引没能生成,原因见 digest serve 的输出。";
    return "本站没有搜索索引:它是用 --no-search 构建的。不加这个选项重新构建即可搜索。";
  }

  function terms(query) {
    var words = query.split(/\s+/).filter(Boolean);
    if (words.length > 1) words.unshift(query);
    return words.sort(function (a, b) { return b.length - a.length; });
  }

  function pattern(words) {
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    return new RegExp("(" + escaped.join("|") + ")", "gi");
  }

  // The excerpt as nodes: Pagefind's text with its leading punctuation dropped, the words typed
  // marked where they stand whole in it, else Pagefind's own marks.
  function excerptNodes(excerpt, words) {
    var parts = [];
    new DOMParser().parseFromString(excerpt, "text/html").body.childNodes.forEach(function (node) {
      parts.push({ text: node.textContent, mark: node.nodeName === "MARK" });
    });
    var text = parts.map(function (p) { return p.text; }).join("");
    var cut = text.length - text.replace(LEADING, "").length;
    var fragment = document.createDocumentFragment();
    function add(piece, marked) {
      if (!piece) return;
      if (marked) {
        var mark = document.createElement("mark");
        mark.textContent = piece;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(piece));
      }
    }
    var clean = text.slice(cut);
    var whole = pattern(words);
    if (words.length && whole.test(clean)) {
      clean.split(whole).forEach(function (piece, i) { add(piece, i % 2 === 1); });
      return fragment;
    }
    parts.forEach(function (p) {
      var drop = Math.min(cut, p.text.length);
      cut -= drop;
      add(p.text.slice(drop), p.mark);
    });
    return fragment;
  }

  function zhDate(iso) {
    var d = (iso || "").split("-");
    return d.length === 3 ? Number(d[0]) + "年" + Number(d[1]) + "月" + Number(d[2]) + "日" : iso || "";
  }

  function show(result, li, words, token) {
    result.data().then(function (item) {
      if (token !== seq) return;
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.meta.title || item.url;
      var meta = document.createElement("p");
      meta.className = "card-meta";
      meta.textContent = (item.meta.kind ? [item.meta.kind, zhDate(item.meta.date)]
        : [item.meta.city, item.meta.theme, zhDate(item.meta.date)]).filter(Boolean).join(" · ");
      var excerpt = document.createElement("p");
      excerpt.className = "excerpt";
      excerpt.appendChild(excerptNodes(item.excerpt || "", words));
      li.appendChild(a); li.appendChild(meta); li.appendChild(excerpt);
      li.hidden = false;
    });
  }

  // Results appear one by one as their fragments arrive, in rank order, so the first shows at once.
  function render(results, query, token) {
    var words = terms(query);
    var from = 0;
    list.textContent = "";
    var updating = document.documentElement.getAttribute("data-digest-search") === "indexing"
      ? " 索引正在更新,刚保存的修改稍后才能搜到。" : "";
    status.textContent = (results.length ? "找到 " + results.length + " 条关于“" + query + "”的结果。"
      : "没有找到“" + query + "”。") + updating;
    function next() {
      results.slice(from, from + PAGE).forEach(function (result) {
        var li = document.createElement("li");
        li.hidden = true;
        list.appendChild(li);
        show(result, li, words, token);
      });
      from += PAGE;
      more.hidden = results.length <= from;
    }
    more.onclick = next;
    next();
  }

  var wantedCity = "";

  function run() {
    var query = input.value.trim();
    var token = ++seq;
    var city = citySelect.options.length > 1 ? citySelect.value : wantedCity;
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (themeSelect.value) params.set("theme", themeSelect.value);
    if (city) params.set("city", city);
    history.replaceState(null, "", "?" + params.toString());
    if (!query) {
      list.textContent = "";
      more.hidden = true;
      status.textContent = "输入关键词开始搜索。";
      return Promise.resolve();
    }
    var filters = {};
    if (themeSelect.value) filters.theme = themeSelect.value;
    if (city) filters.city = city;
    return load().then(function (pf) {
      var text = pf.search(query, { filters: filters });
      // A name lists its own entries first: those whose city or people filter is the query itself.
      var exact = /\s/.test(query) || query.length > 20 ? null
        : pf.search(null, { filters: Object.assign({ any: [{ city: query }, { people: query }] }, filters) });
      return Promise.all([text, exact]);
    }).then(function (found) {
      if (token !== seq) return;
      var first = found[1] ? found[1].results : [];
      var seen = new Set(first.map(function (r) { return r.id; }));
      render(first.concat(found[0].results.filter(function (r) { return !seen.has(r.id); })), query, token);
    }).catch(function (error) {
      status.textContent = whyNoIndex(error);
    });
  }

  // The city list comes from the index itself, so it always matches what can be found.
  function fillCities() {
    return load().then(function (pf) { return pf.filters(); }).then(function (filters) {
      var counts = filters.city || {};
      Object.keys(counts).sort(function (a, b) { return a.localeCompare(b, "zh-CN"); }).forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name + "(" + counts[name] + ")";
        citySelect.appendChild(option);
      });
      citySelect.value = wantedCity;
    }).catch(function (error) {
      if (!input.value.trim()) status.textContent = whyNoIndex(error);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", function () {
    var query = input.value.trim();
    if (query) load().then(function (pf) { pf.preload(query); }).catch(function () {});
    clearTimeout(run.timer);
    run.timer = setTimeout(run, 150);
  });
  themeSelect.addEventListener("change", run);
  citySelect.addEventListener("change", run);
  var initial = new URLSearchParams(location.search);
  input.value = initial.get("q") || "";
  themeSelect.value = initial.get("theme") || "";
  wantedCity = initial.get("city") || "";
  // A ?q= search runs at once; the city list (every filter's values) loads after it has answered.
  (input.value ? run() : Promise.resolve()).then(fillCities);
}());
