"""The 2-input truth tables, torch-free (lab.core.tasks holds them as tensors)."""

TABLE_ROWS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))  # (0,0), (0,1), (1,0), (1,1)

TRUTH_TABLES = {  # the function's value on each row of TABLE_ROWS
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor": (0, 1, 1, 0),
}
