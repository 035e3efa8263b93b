"""Benchmarks of cae-hub and the synthetic federation they share with the tests."""
