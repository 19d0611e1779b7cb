"""Scale data and benchmarks: `python -m bench` (what `make bench` runs). See bench/README.md."""
