// While a PDF report is being prepared, ask its status every two seconds and reload the page
// once it is ready or failed (the page then shows the download link or the error).
(function () {
  "use strict";
  var region = document.getElementById("report-status");
  if (!region || !region.dataset.statusUrl) {
    return;
  }
  var url = region.dataset.statusUrl;
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.status !== "pending") {
          window.location.reload();
        } else if (tries < 150) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
