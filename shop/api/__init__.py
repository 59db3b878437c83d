"""Building blocks shared by every app's REST API views."""
