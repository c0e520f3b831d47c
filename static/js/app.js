// Move focus to the results when htmx swaps them in, so screen readers and keyboard users land there.
document.addEventListener("htmx:afterSwap", function (event) {
  var results = document.getElementById("results");
  if (results && event.detail.target && event.detail.target.id === "results") {
    results.focus();
  }
});
