"""(being written)"""


def handlers() -> list:
    return []
