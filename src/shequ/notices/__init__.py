"""Public notices (公示): resolutions, vote results and later fund use published to the residents of the
affected area for a period, with a channel for objections that staff must answer, and a printable PDF.

Sits below `deliberation`, `votes` and `funds`, which publish through it.
"""
