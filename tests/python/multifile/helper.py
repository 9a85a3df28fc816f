# Helper module of the multifile project.
VERSION = "helper-1.2"


def rows(n):
    return [{"n": i, "label": f"row {i} from helper"} for i in range(n)]
