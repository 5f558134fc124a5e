"""The step plan and the organisations as data, and the pure rules on them."""
