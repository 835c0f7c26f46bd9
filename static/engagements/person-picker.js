// A list of people to choose from (select[data-person-picker]) gains a filter box: typing narrows the
// options to the names and agencies containing every word typed (accents and case aside), and the
// form's country field (data-country-field) to that country's people. Chosen people stay visible.
// Without this script the list is a plain multiple select.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("select[data-person-picker]").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "-filter";
    input.className = "form-control form-control-sm mb-1";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", select.id);
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "form-label small mb-0";
    label.textContent = select.dataset.filterLabel;
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
    var country = select.dataset.countryField ? document.getElementById(select.dataset.countryField) : null;
    function narrow() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var code = country ? country.value : "";
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.text);
        var fits = (!code || !option.dataset.country || option.dataset.country === code) &&
          words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !(fits || option.selected);
      });
    }
    input.addEventListener("input", narrow);
    if (country) {
      country.addEventListener("change", narrow);
    }
    narrow();
  });
})();
