"""For tests of parts kept by the layout's memo (academy/templatetags/layout.py)."""


def written_the_same_from_the_memo(settings, read):
    """Reads everything with the memo off, then twice with it on (the first round fills it, the second reads it),
    asserts that each round reads what the first did, and returns that. `read` should go through the key's
    values in turn (people, languages, pages), so that one memo serves them all."""
    from academy.templatetags.layout import memo_clear

    settings.LAYOUT_MEMO = False
    written = read()
    settings.LAYOUT_MEMO = True  # (a changed setting empties the memo)
    memo_clear()
    for _round in range(2):
        assert read() == written
    return written
