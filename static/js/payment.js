// Card payment for one order. Stripe.js turns the card Element into a
// token, and only the token's card id is posted to the shop. The shop
// charges it and replies with the next step (orders/views/payment.py).
(function () {
  "use strict";

  const form = document.getElementById("payment-form");
  if (!form) {
    return;
  }
  const errorBox = document.getElementById("payment-error");
  const button = document.getElementById("pay-button");
  const csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  async function postCard(cardId) {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
      body: new URLSearchParams({ card_id: cardId }),
      credentials: "same-origin",
    });
    return response.json();
  }

  async function pay(event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;

    const { token, error } = await stripe.createToken(card);
    if (error) {
      showError(error.message);
      return;
    }
    let result;
    try {
      result = await postCard(token.card.id);
    } catch (networkError) {
      showError("The shop could not be reached. Please check your connection and try again.");
      return;
    }

    if (result.status === "requires_action") {
      // 3-D Secure: Stripe.js shows the bank's check; the return page then
      // re-reads the payment whatever the outcome.
      await stripe.confirmCardPayment(result.client_secret);
      window.location.assign(result.return_url);
    } else if (result.redirect_url) {
      window.location.assign(result.redirect_url);
    } else {
      showError(result.message);
    }
  }

  form.addEventListener("submit", pay);
})();
