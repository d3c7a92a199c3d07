"""Screens of corporations (`corporations`, and their record: `records`), missions
(`missions`) and revitalisation conventions (`conventions`)."""
