/* Small page behaviours without inline event handlers (the Content-Security-Policy refuses
   those): a <select data-submit-on-change> submits its form when changed; a
   <form data-confirm="question"> asks the question before it is submitted; a bar that scrolls
   sideways on a phone (the account menu, the catalogue's categories) starts at its current
   item, so the page's own tab is in view. */
(function () {
  "use strict";
  // Oscar's start-up on every page (its templates' "onbodyload" blocks used to call these
  // inline; a page's own extra code still comes inline, with the CSP nonce).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.oscar) {
      window.oscar.init();
      if (window.oscar.search) { window.oscar.search.init(); }
    }
    var current = document.querySelectorAll(
      ".linli-subnav .nav-link.active, .linli-chips [aria-current=page], .linli-chips .active");
    Array.prototype.forEach.call(current, function (item) {
      var bar = item.closest(".nav, .linli-chips");
      if (bar && bar.scrollWidth > bar.clientWidth) {
        bar.scrollLeft = item.offsetLeft - bar.offsetLeft - 12;
      }
    });
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
