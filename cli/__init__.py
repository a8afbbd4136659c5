"""The terminal front end: `assistant index | ask | chat | ui | eval | bench` (`cli.main`).

A thin layer over `assistant`'s public API; only front ends (this package and `ui`) reach `ui` and `evals`.
"""
