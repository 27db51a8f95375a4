/* The service page's "another date" picker: asks slots.json for one day and shows one-click
   booking buttons, the same forms the page renders for the next few days. */
(function () {
  var input = document.getElementById("slot-date");
  if (!input) { return; }
  var results = document.getElementById("slot-date-results");
  var csrf = document.querySelector("#service-booking input[name=csrfmiddlewaretoken]");
  input.addEventListener("change", function () {
    if (!input.value) { return; }
    var url = input.dataset.slotsUrl + "?from=" + input.value + "&to=" + input.value;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        results.textContent = "";
        if (data.error) { results.textContent = data.error; return; }
        if (!data.slots.length) { results.textContent = input.dataset.empty; return; }
        var box = document.createElement("div");
        box.className = "linli-slots d-flex flex-wrap";
        data.slots.forEach(function (slot) {
          var form = document.createElement("form");
          // A visitor's forms are GETs to the login (a shared page has no token or key).
          var visitor = input.dataset.method === "get";
          form.method = visitor ? "get" : "post";
          form.action = input.dataset.bookUrl;
          form.className = "mr-2 mb-2";
          var fields = [["product", input.dataset.product], ["start", slot.start]];
          if (!visitor) {
            fields.push(["csrfmiddlewaretoken", csrf ? csrf.value : ""],
                        ["key", (input.dataset.nonce || "") + ":" + slot.start]);
          }
          fields.forEach(function (pair) {
            var hidden = document.createElement("input");
            hidden.type = "hidden"; hidden.name = pair[0]; hidden.value = pair[1];
            form.appendChild(hidden);
          });
          var button = document.createElement("button");
          button.type = "submit";
          button.className = "btn btn-outline-primary btn-sm linli-slot";
          button.dataset.start = slot.start;
          button.textContent = slot.time;
          form.appendChild(button);
          box.appendChild(form);
        });
        results.appendChild(box);
      });
  });
})();
