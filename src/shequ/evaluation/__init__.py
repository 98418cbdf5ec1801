"""Evaluation and the cockpit (room for a later issue): satisfaction, on-time rates, assessments of units and
communities, figures for leaders, drawn from every pillar below it.
"""
