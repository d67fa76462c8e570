// Sortable tables (table[data-sortable]): a button in each column head sorts the rows by it.
// Without scripts the table stays in its published order. A column of numbers (cells with
// data-value) sorts within each unit (data-unit): figures in different units are never compared.
(function () {
  "use strict";
  var collator = new Intl.Collator("zh-CN", { numeric: true });

  function key(cell) {
    return cell.hasAttribute("data-value")
      ? { unit: cell.getAttribute("data-unit") || "", value: parseFloat(cell.getAttribute("data-value")) }
      : { text: cell.textContent.trim() };
  }

  function compare(a, b) {
    if (a.text !== undefined) return collator.compare(a.text, b.text);
    return collator.compare(a.unit, b.unit) || a.value - b.value;
  }

  function sortBy(table, column, head) {
    var body = table.tBodies[0];
    var descending = head.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, index: index, key: key(row.cells[column]) };
    });
    rows.sort(function (a, b) {
      var order = compare(a.key, b.key);
      return (descending ? -order : order) || a.index - b.index;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    head.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (head, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = head.textContent;
      head.textContent = "";
      head.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, head); });
    });
  });
})();
