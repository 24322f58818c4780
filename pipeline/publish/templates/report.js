(function () {
  // Progressive enhancement only: the page is complete without it. It reveals the filters, hides
  // what belongs to other provinces (or cities), reads and writes the filter in the address
  // (report.html#province=陕西省 opens filtered), opens every folded part before printing, and
  // marks the page ready (the browser test reads that).
  var sel = document.getElementById("province-filter");
  var box = document.getElementById("city-filter");
  var items = document.querySelectorAll("[data-province], [data-city]:not(g)");
  var years = document.querySelectorAll(".cal-year");
  function apply() {
    var p = sel.value, q = box.value.trim().toLowerCase();
    items.forEach(function (el) {
      var prov = el.getAttribute("data-province");
      var ok = p === "" || prov === null || prov === p;
      if (el.classList.contains("longest")) {
        ok = p === "" ? el.classList.contains("top") : (prov === p && el.classList.contains("in-province"));
      }
      var city = el.getAttribute("data-city");
      if (q !== "" && city !== null && city.toLowerCase().indexOf(q) < 0) { ok = false; }
      el.hidden = !ok;
    });
    years.forEach(function (block) {
      block.hidden = block.querySelector("tbody tr:not([hidden])") === null;
    });
    document.documentElement.setAttribute("data-province-filter", p);
  }
  function fromAddress() {
    var m = /(?:^#|&)province=([^&]*)/.exec(window.location.hash);
    sel.value = m ? decodeURIComponent(m[1]) : "";
    if (sel.selectedIndex < 0) { sel.value = ""; }
  }
  sel.hidden = false;
  box.hidden = false;
  fromAddress();
  apply();
  sel.addEventListener("change", function () {
    try { window.history.replaceState(null, "", sel.value ? "#province=" + encodeURIComponent(sel.value) : "#"); } catch (e) { /* file:// may refuse */ }
    apply();
  });
  box.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { fromAddress(); apply(); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
  document.documentElement.setAttribute("data-report-ready", "1");
})();
