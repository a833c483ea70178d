"""Lists of ids as people type them: in a flag, a form or a shared link."""

__all__ = ["parse_ids"]


def parse_ids(*texts: str) -> list[str]:
    """The ids in comma-separated `texts`: trimmed, empty parts dropped, each once, in the order given.

    Examples
    --------
    >>> parse_ids("C1, C2,,C1", "C3")
    ['C1', 'C2', 'C3']
    >>> parse_ids(" , ")
    []
    """
    return list(dict.fromkeys(part.strip() for text in texts for part in text.split(",") if part.strip()))
