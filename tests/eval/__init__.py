"""Evaluation of the pipeline against a hand annotation of the seed articles."""
