// packbase's one script. The pages work without it; with it, commands get copy buttons and the
// index shows results as you type (the same server-rendered results, fetched from this site).
"use strict";

document.querySelectorAll("button.copy-button").forEach(function (button) {
  var source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    });
  });
});

(function () {
  var input = document.querySelector("input[data-live]");
  var results = input && document.getElementById(input.dataset.live);
  if (!results) {
    return;
  }
  var form = input.form;
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var asked = ++latest;
      var url = form.action + (input.value.trim() ? "?q=" + encodeURIComponent(input.value.trim()) : "");
      fetch(url, { headers: { "Accept": "text/html" } }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null || asked !== latest) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(input.dataset.live);
        if (fresh) {
          results.replaceChildren.apply(results, Array.from(fresh.childNodes));
          history.replaceState(null, "", url);
        }
      }).catch(function () { /* the form still works */ });
    }, 150);
  });
})();
