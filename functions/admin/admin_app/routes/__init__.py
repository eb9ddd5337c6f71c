"""One router per admin area."""
