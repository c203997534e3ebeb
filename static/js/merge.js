// The merge page (activities/merge_views.py): choosing another master shows the page again
// for it (its values chosen, what moves counted from the others). Loaded as a file: the CSP
// forbids inline scripts. Without a script, the posted master and choices are merged as
// they stand.
document.addEventListener("change", function (event) {
  var radio = event.target.closest && event.target.closest("[data-master-url]");
  if (radio && radio.checked) {
    window.location.assign(radio.getAttribute("data-master-url"));
  }
});
