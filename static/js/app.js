// Move focus to the results when htmx swaps them in, so screen readers and keyboard users land there.
document.addEventListener("htmx:afterSwap", function (event) {
  var results = document.getElementById("results");
  if (results && event.detail.target && event.detail.target.id === "results") {
    results.focus();
  }
});

// While a file uploads, show how much has been sent (htmx 2 reports the upload's progress).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (!bar || !event.detail.lengthComputable || event.detail.total < 200000) {
    return;
  }
  bar.closest("label").hidden = false;
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
});

document.addEventListener("htmx:afterRequest", function () {
  var bar = document.getElementById("upload-progress");
  if (bar) {
    bar.value = 0;
    bar.closest("label").hidden = true;
  }
});
