"""Burden reduction for community staff (room for a later issue): the access list for department tasks, the
certificate list, counted reports and meetings, data collected once and reused, outsourcing, workload surveys.

Independent of case handling and deliberation (a sibling on their layer).
"""
