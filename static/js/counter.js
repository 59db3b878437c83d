// Counter screen: show the change due as cash is typed, and send the sale
// once. The server computes the real change and records each client key
// once; this only keeps the clerk from waiting on a second click.
(function () {
  "use strict";

  var tendered = document.getElementById("amount-tendered");
  var cashTotal = document.getElementById("cash-total");
  var change = document.getElementById("change-due");
  var form = document.getElementById("payment-form");

  function cents(text) {
    var value = Number(String(text).replace(/[$,\s]/g, ""));
    return Number.isFinite(value) ? Math.round(value * 100) : NaN;
  }

  function showChange() {
    var due = cents(cashTotal.dataset.amount);
    var handedOver = cents(tendered.value);
    if (!tendered.value || Number.isNaN(handedOver)) {
      change.textContent = "—";
    } else if (handedOver < due) {
      change.textContent = "$" + ((due - handedOver) / 100).toFixed(2) + " short";
    } else {
      change.textContent = "$" + ((handedOver - due) / 100).toFixed(2);
    }
  }

  if (tendered && cashTotal && change) {
    tendered.addEventListener("input", showChange);
    showChange();
  }
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
  }
})();
