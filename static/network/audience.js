// Show only the audience target (network, event or country) that the chosen audience needs.
(function () {
  "use strict";
  var select = document.getElementById("id_audience");
  if (!select) { return; }
  var targets = { network: "audience_network", event: "audience_event", country: "audience_country" };
  function wrapperOf(name) {
    var field = document.getElementById("id_" + name);
    return field ? field.closest(".mb-3") || field.parentElement : null;
  }
  function update() {
    Object.keys(targets).forEach(function (audience) {
      var wrapper = wrapperOf(targets[audience]);
      if (wrapper) { wrapper.hidden = select.value !== audience; }
    });
  }
  select.addEventListener("change", update);
  update();
})();
