"""Burden reduction for community staff (room for a later issue): the access list for department tasks, the
certificate list, counted reports and meetings, data collected once and reused, outsourcing, workload surveys.

A sibling of `deliberation` above `cases`: neither imports the other.
"""
