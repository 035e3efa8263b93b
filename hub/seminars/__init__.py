"""Working groups and semester seminars: groups, roadmaps, skills register, seminar packs."""
