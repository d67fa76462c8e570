// Search page: Pagefind's JS API with city/theme filters. Needs the site to be served over HTTP.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var input = document.getElementById("q");
  var themeSelect = document.getElementById("theme-filter");
  var citySelect = document.getElementById("city-filter");
  var status = document.getElementById("search-status");
  var list = document.getElementById("results");
  var bundle = form.getAttribute("data-pagefind-root");
  var pagefind = null;
  var seq = 0;

  if (location.protocol === "file:") {
    status.textContent = "搜索需要通过网址访问本站(例如运行 python build.py serve),直接打开本地文件时无法搜索。";
    input.disabled = true;
    return;
  }

  function load() {
    if (!pagefind) {
      pagefind = import(new URL(bundle + "pagefind.js", location.href).href).then(function (pf) {
        return pf.init().then(function () { return pf; });
      });
    }
    return pagefind;
  }

  // Results appear one by one as their fragments arrive, in rank order, so the first shows at once.
  function render(results, query, token) {
    list.textContent = "";
    status.textContent = results.length ? "找到 " + results.length + " 条关于“" + query + "”的结果。" : "没有找到“" + query + "”。";
    results.slice(0, 20).forEach(function (result) {
      var li = document.createElement("li");
      li.hidden = true;
      list.appendChild(li);
      result.data().then(function (item) {
        if (token !== seq) return;
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.meta.title || item.url;
        var meta = document.createElement("p");
        meta.className = "card-meta";
        meta.textContent = [item.meta.city, item.meta.theme, item.meta.date].filter(Boolean).join(" · ");
        var excerpt = document.createElement("p");
        excerpt.innerHTML = item.excerpt;  // Pagefind's excerpt: page text, escaped, with <mark> around hits
        li.appendChild(a); li.appendChild(meta); li.appendChild(excerpt);
        li.hidden = false;
      });
    });
  }

  function run() {
    var query = input.value.trim();
    var token = ++seq;
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (themeSelect.value) params.set("theme", themeSelect.value);
    if (citySelect.value) params.set("city", citySelect.value);
    history.replaceState(null, "", "?" + params.toString());
    if (!query) { list.textContent = ""; status.textContent = "输入关键词开始搜索。"; return; }
    var filters = {};
    if (themeSelect.value) filters.theme = themeSelect.value;
    if (citySelect.value) filters.city = citySelect.value;
    load().then(function (pf) { return pf.search(query, { filters: filters }); })
      .then(function (search) { return render(search.results, query, token); })
      .catch(function () { status.textContent = "搜索索引不可用:请用 python build.py 构建(不要加 --no-search)后再试。"; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", function () {
    var query = input.value.trim();
    if (query) load().then(function (pf) { pf.preload(query); });
    clearTimeout(run.timer);
    run.timer = setTimeout(run, 150);
  });
  themeSelect.addEventListener("change", run);
  citySelect.addEventListener("change", run);
  var initial = new URLSearchParams(location.search);
  input.value = initial.get("q") || "";
  themeSelect.value = initial.get("theme") || "";

  // The city list comes from the index itself, so it always matches what can be found.
  load().then(function (pf) { return pf.filters(); }).then(function (filters) {
    Object.keys(filters.city || {}).sort(function (a, b) { return a.localeCompare(b, "zh-CN"); })
      .forEach(function (city) {
        var option = document.createElement("option");
        option.value = city;
        option.textContent = city + "(" + filters.city[city] + ")";
        citySelect.appendChild(option);
      });
    citySelect.value = initial.get("city") || "";
    if (input.value) run();
  }).catch(function () {
    status.textContent = "搜索索引不可用:请用 python build.py 构建(不要加 --no-search)后再试。";
  });
}());
