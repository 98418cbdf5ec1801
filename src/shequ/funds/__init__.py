"""Development with governance (room for a later issue): community funds spent by resident resolution,
foundations and micro-funds, social enterprises, trust-style property ledgers, all public.

Sits above `deliberation`: money moves only on a recorded resolution.
"""
