"""Deliberation and decisions (room for the next issue).

Councils (居民议事会, 院落议事会, 监事会), owners' assemblies and committees as bodies; proposals from
residents, members, the Party organisation or a case; meetings with quorum and minutes; residents'
meetings; owners' votes counted as 民法典 §278 requires; public notices.

Sits above `cases` (a case can become a proposal) and below the portal; owners and floor areas come from
`registry`, the bodies themselves from `organisations`.
"""
