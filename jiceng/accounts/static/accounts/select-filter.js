// A search box over a long <select> (the node picker lists every node of a district: ~466 options).
// Typing keeps the options whose name contains the text; the options themselves are never rebuilt,
// and nothing typed reaches the DOM as markup (the count is set with textContent).
(function () {
  "use strict";

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.getAttribute("data-jc-filter") || "输入名称筛选";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("data-jc-filter-for", select.id);
    var count = document.createElement("div");
    count.className = "form-text mt-0 mb-1";
    count.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select);

    box.addEventListener("input", function () {
      var text = box.value.trim();
      var shown = 0;
      var firstShown = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !text || option.textContent.indexOf(text) !== -1;
        option.hidden = !match;
        option.disabled = !match;
        if (match) {
          shown += 1;
          if (firstShown === null) firstShown = option;
        }
      });
      var selected = select.options[select.selectedIndex];
      if ((!selected || selected.hidden) && firstShown !== null) firstShown.selected = true;
      count.textContent = text ? "符合“" + text + "”的有 " + shown + " 项" : "";
    });
  }

  document.querySelectorAll("select[data-jc-filter]").forEach(attach);
})();
