// Progressive enhancement only: every page works without this file.
// In the statistics forms, breakdowns the chosen indicator does not offer are greyed out.
(function () {
  "use strict";
  function syncBreakdowns(form) {
    var indicator = form.querySelector("select[name=indicateur]");
    if (!indicator) { return; }
    var chosen = indicator.options[indicator.selectedIndex];
    var allowed = (chosen && chosen.getAttribute("data-dims") || "").split(",");
    form.querySelectorAll("select[name=par]").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        var ok = option.value === "" || allowed.indexOf(option.value) !== -1;
        option.disabled = !ok;
        if (!ok && option.selected) { select.value = ""; }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.filtres").forEach(function (form) {
      var indicator = form.querySelector("select[name=indicateur]");
      if (!indicator) { return; }
      indicator.addEventListener("change", function () { syncBreakdowns(form); });
      syncBreakdowns(form);
    });
  });
})();
