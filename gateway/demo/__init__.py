"""Synthetic demo data for `roi demo` and `make run`. Every person and number here is invented."""
