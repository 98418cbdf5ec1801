"""Owners' joint decisions (业主共同决定): votes with items counted exactly as 民法典 §278 and the SPC
interpretation on building ownership (2020) §8–9 require, ballots cast online, by proxy or from paper, receipts
that let owners verify the published count, and the `shequ tally` command that runs the same rules on a file.

Owners, dwellings and exclusive areas come from `registry` and `territory`; sits below `deliberation` (a
proposal or meeting may lead to a vote) and above `notices` (results are published).
"""
