"""Forms of the storefront: signing up and logging in with an email, and
joining the mailing list."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm

from .accounts import email_has_account, normalize_email

# django.contrib.auth's User keeps the email as its username, which is at
# most 150 characters long.
MAX_EMAIL_LENGTH = get_user_model()._meta.get_field("username").max_length


class SignupForm(forms.Form):
    email = forms.EmailField(
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if email_has_account(email):
            raise forms.ValidationError(
                f"An account for {email} already exists. Log in instead."
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
            return cleaned
        if password1:
            user = get_user_model()(
                username=cleaned.get("email", ""), email=cleaned.get("email", "")
            )
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an email in any case, or with a staff username."""

    username = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    # Django's message names the user model's "username" field, but this
    # form's field is labelled Email.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "The email or password is not right. Check both, and note that "
            "the password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        # Customers' usernames are their lower-cased email. Staff usernames
        # created in the admin have no "@" and keep their case.
        return normalize_email(username) if "@" in username else username


class MailingListForm(forms.Form):
    """The mailing-list sign-up form: an email, and nothing else."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MarketingConsentForm(forms.Form):
    """A customer's own choice about marketing email, on the account page."""

    marketing_consent = forms.BooleanField(
        label="Email me news and offers", required=False
    )
