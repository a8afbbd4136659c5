"""One class per screen of the app, each with its own layout and events (see ui/pages/base.py)."""
