"""Offline commands: train, export and evaluate the models in models/, and write their reports (the benchmarks
are in bench/)."""
