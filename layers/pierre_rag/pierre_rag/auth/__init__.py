"""Staff authentication: roles, password hashing, signed session cookies."""
