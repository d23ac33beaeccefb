"""Helpers the tests share: independent oracles, random rounds, store and output children, paths."""
