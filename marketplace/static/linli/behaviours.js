/* Small page behaviours without inline event handlers (the Content-Security-Policy refuses
   those): a <select data-submit-on-change> submits its form when changed; a
   <form data-confirm="question"> asks the question before it is submitted. */
(function () {
  "use strict";
  // Oscar's start-up on every page (its templates' "onbodyload" blocks used to call these
  // inline; a page's own extra code still comes inline, with the CSP nonce).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.oscar) {
      window.oscar.init();
      if (window.oscar.search) { window.oscar.search.init(); }
    }
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
