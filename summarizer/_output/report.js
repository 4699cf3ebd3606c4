// The report page's one script: a constant (allowed by its hash in the page's CSP). It reads
// only ids and labels the page built, and writes text with textContent, never as HTML.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("button[data-item]"));
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark[data-items]"));
  var picked = document.getElementById("picked");
  function cites(mark, id) {
    return mark.getAttribute("data-items").split(" ").indexOf(id) >= 0;
  }
  function select(button) {
    var id = button.getAttribute("data-item");
    var first = null;
    var count = 0;
    marks.forEach(function (m) {
      var on = cites(m, id);
      m.classList.toggle("active", on);
      if (on) { count += 1; first = first || m; }
    });
    items.forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
      b.classList.remove("cites");
    });
    picked.textContent = button.getAttribute("data-label") + ": " + count +
      (count === 1 ? " sentence" : " sentences") + " highlighted";
    if (first) { first.scrollIntoView({block: "center"}); }
  }
  function explain(mark) {
    var ids = mark.getAttribute("data-items").split(" ");
    items.forEach(function (b) {
      b.classList.toggle("cites", ids.indexOf(b.getAttribute("data-item")) >= 0);
    });
    picked.textContent = mark.getAttribute("title");
  }
  items.forEach(function (b) {
    b.addEventListener("click", function () { select(b); });
  });
  marks.forEach(function (m) {
    m.addEventListener("click", function () { explain(m); });
    m.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); explain(m); }
    });
  });
}());
