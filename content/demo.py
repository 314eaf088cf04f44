"""Sample guides for a new site (filled in with the content pages)."""


def load():
    pass
