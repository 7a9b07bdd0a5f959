"""Benchmark runs: plan items from a suite, execute them, keep a resumable run directory."""
