"""Screens of corporations (`corporations`), missions (`missions`) and revitalisation
conventions (`conventions`)."""
