"""The 2-input truth tables, torch-free (lab.core.tasks holds them as tensors)."""

TABLE_ROWS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))  # (0,0), (0,1), (1,0), (1,1)

TRUTH_TABLES = {  # the function's value on each row of TABLE_ROWS
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor": (0, 1, 1, 0),
}


def input_rows(encoding: str) -> tuple:
    """The truth table's input rows as the net sees them: 0/1, or ±1 (2x − 1) with the `pm1` encoding. The ±1 rows
    are whitened in Saxe et al.'s sense: over the 4 rows, each input has mean 0 and variance 1 and the two are
    uncorrelated (the rows are orthogonal with equal norm)."""
    if encoding == "pm1":
        return tuple(tuple(2 * x - 1 for x in row) for row in TABLE_ROWS)
    return TABLE_ROWS


def centre(task: str) -> float:
    """What the `pm1` encoding subtracts from the 0/1 target: its mean over the 4 rows (AND 0.25: targets −0.25 and
    0.75; XOR 0.5: ±0.5). Every such difference is exact in float32."""
    return sum(TRUTH_TABLES[task]) / 4


def threshold(task: str, encoding: str) -> float:
    """A row is answered true where the (single) output exceeds this: 0.5, or for `pm1` halfway between its centred
    targets, 0.5 − centre."""
    return 0.5 - centre(task) if encoding == "pm1" else 0.5
