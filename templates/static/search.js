// Search page: Pagefind's JS API with city/theme filters. Needs the site to be served over HTTP.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  var input = document.getElementById("q");
  var themeSelect = document.getElementById("theme-filter");
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

  function render(results, query, token) {
    return Promise.all(results.slice(0, 30).map(function (r) { return r.data(); })).then(function (items) {
      if (token !== seq) return;
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = (item.meta && item.meta.title) || item.url;
        var meta = document.createElement("p");
        meta.className = "card-meta";
        meta.textContent = [item.filters.city, item.filters.theme, item.filters.date].filter(Boolean).join(" · ");
        var excerpt = document.createElement("p");
        excerpt.innerHTML = item.excerpt;
        li.appendChild(a); li.appendChild(meta); li.appendChild(excerpt);
        list.appendChild(li);
      });
      status.textContent = items.length ? "找到 " + results.length + " 条关于“" + query + "”的结果。" : "没有找到“" + query + "”。";
    });
  }

  function run() {
    var query = input.value.trim();
    var token = ++seq;
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (themeSelect.value) params.set("theme", themeSelect.value);
    history.replaceState(null, "", "?" + params.toString());
    if (!query) { list.textContent = ""; status.textContent = "输入关键词开始搜索。"; return; }
    var filters = themeSelect.value ? { theme: themeSelect.value } : {};
    load().then(function (pf) { return pf.search(query, { filters: filters }); })
      .then(function (search) { return render(search.results, query, token); })
      .catch(function () { status.textContent = "搜索索引不可用:请用 python build.py 构建(不要加 --no-search)后再试。"; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  input.addEventListener("input", function () { clearTimeout(run.timer); run.timer = setTimeout(run, 150); });
  themeSelect.addEventListener("change", run);
  var initial = new URLSearchParams(location.search);
  input.value = initial.get("q") || "";
  themeSelect.value = initial.get("theme") || "";
  if (input.value) run();
}());
