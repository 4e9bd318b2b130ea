"""Portal-wide roles, held as Django groups (created by a data migration).

Organisation roles (admin, member of an organisation) live in organisations/, not here.
"""

STAFF = "VAMOs-Team"
COACH = "Coach"
TRAINER = "Trainer*in"

ALL = (STAFF, COACH, TRAINER)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()
