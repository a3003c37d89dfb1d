"""Offline commands: train, evaluate and benchmark the models in models/."""
