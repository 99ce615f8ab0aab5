"""Benchmarks and the synthetic-council generator, run from the repository root as modules:

    python -m benchmarks.bench_allocate
    python -m benchmarks.bench_scale
    python -m benchmarks.bench_montecarlo
    python -m benchmarks.generate --size medium --seed 1 --out /tmp/medium
    python -m benchmarks.make_sample

and imported by the tests as `from benchmarks import generate`.
"""
