// The filters of the list pages (and a region's list of subregions) sit in
// <details data-wide-open>: closed above the results on a phone (one "筛选" line, the
// results stay in the first screen), open on a wide screen. Without this script the
// disclosure is simply closed and opens on a click, and the "跳到筛选" link opens it too in
// browsers that expand <details> for a fragment.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 761px)");

  function follow() {
    document.querySelectorAll("details[data-wide-open]").forEach(function (details) {
      details.open = wide.matches;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    follow();
    wide.addEventListener("change", follow);
    // A skip link to the filters opens them first, so the focus lands on a facet.
    document.querySelectorAll('a[href="#filters"]').forEach(function (link) {
      link.addEventListener("click", function () {
        document.querySelectorAll("details.filters").forEach(function (details) {
          details.open = true;
        });
      });
    });
  });
})();
